import Foundation
import Optimizers
import Testing

@Suite("Telemetry")
struct TelemetryTests {
    /// The recorded statistics equal a direct computation from the parameters before and after,
    /// overall and per group, on one thread and across the worker pool, and recording does not
    /// change the update.
    @Test(arguments: Catalog.all, [300, 3 * 65_536 + 7])
    func telemetryMatchesADirectComputation(_ entry: Entry, count: Int) throws {
        let groups = try ParameterGroups(parameterCount: count, [
            ParameterGroup("head", 0..<(count / 3), learningRateScale: 0.5),
            ParameterGroup("frozen", (count / 3)..<(count / 2), learningRateScale: 0),
        ])
        var recorded = try entry.make(learningRate: 1e-2, ["weightDecay": 0])
        setTelemetry(&recorded, true)
        var plain = try entry.make(learningRate: 1e-2, ["weightDecay": 0])
        var rng = SplitMix64(seed: 23)
        var x = FlatTensor((0..<count).map { _ in rng.float(exponents: -4...0) })
        var y = x
        for _ in 0..<3 {
            let g = FlatTensor((0..<count).map { _ in rng.float(exponents: -12...4) })
            let before = x
            try stepGrouped(&recorded, &x, g, groups)
            try stepGrouped(&plain, &y, g, groups)
            #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "recording changes nothing")
            let telemetry = try #require(telemetryOf(recorded))
            func direct(_ range: Range<Int>, _ lr: Float) -> (Float, Double) {
                let changes = range.map { abs((x[$0] - before[$0]) * (1 / lr)) }  // as recorded: times 1/lr
                return (changes.max() ?? 0, (changes.map { Double($0) * Double($0) }.reduce(0, +) / Double(range.count)).squareRoot())
            }
            let head = direct(0..<(count / 3), 5e-3), rest = direct((count / 2)..<count, 1e-2)
            #expect(telemetry.groups["head"]?.largest == head.0)
            #expect(abs(Double(telemetry.groups["head"]!.rms) - head.1) <= 1e-5 * head.1)
            #expect(telemetry.groups[UpdateTelemetry.ungrouped]?.largest == rest.0)
            #expect(telemetry.groups["frozen"] == nil, "learning-rate scale 0: no rate to divide by")
            #expect(telemetry.overall.largest == max(head.0, rest.0))
            #expect(telemetry.overall.count == count / 3 + (count - count / 2))
        }
    }

    /// The quantity of Theorem 2: S3 never reports more than 1; AdamW on a growing gradient does.
    @Test func telemetryShowsTheBoundedStep() throws {
        var s3 = try S3(learningRate: 1e-3), adam = try AdamW(learningRate: 1e-3, weightDecay: 0)
        s3.recordsTelemetry = true
        adam.recordsTelemetry = true
        var (a, b) = (FlatTensor(zeros: 1), FlatTensor(zeros: 1))
        var gradient: Float = 1e-3
        var largest: (s3: Float, adam: Float) = (0, 0)
        for t in 0..<300 {
            if t > 200 { gradient *= 0.999 / 0.9 }
            try s3.step(parameters: &a, gradients: [gradient])
            try adam.step(parameters: &b, gradients: [gradient])
            largest = (max(largest.s3, s3.telemetry!.overall.largest), max(largest.adam, adam.telemetry!.overall.largest))
        }
        #expect(largest.s3 <= 1.0001 && largest.adam > 3, "\(largest)")
        s3.recordsTelemetry = false
        try s3.step(parameters: &a, gradients: [1])
        #expect(s3.telemetry == nil)
    }
}
