import Foundation
import Optimizers
import Testing

@Suite("Telemetry")
struct TelemetryTests {
    /// The recorded statistics equal a direct computation from the parameters before and after,
    /// overall and per group, on one thread and across the worker pool, and recording does not
    /// change the update. Frozen groups and groups at scale 0 are left out.
    @Test(arguments: Catalog.all, [300, 3 * 256 + 7])
    func telemetryMatchesADirectComputation(_ entry: Entry, count: Int) throws {
        try withThreads(3, minimumElementsPerThread: 64) { try telemetryMatches(entry, count: count) }
    }

    func telemetryMatches(_ entry: Entry, count: Int) throws {
        let groups = try ParameterGroups(
            parameterCount: count,
            [
                ParameterGroup(
                    "head", ranges: [0..<(count / 4), (count / 2)..<(count / 2 + 5)], learningRateScale: 0.5),
                ParameterGroup("still", (count / 4)..<(count / 3), learningRateScale: 0),
                ParameterGroup("frozen", (count / 3)..<(count / 2), frozen: true),
            ])
        var recorded = try entry.make(learningRate: 1e-2, ["weightDecay": 0])
        recorded.recordsTelemetry = true
        var plain = try entry.make(learningRate: 1e-2, ["weightDecay": 0])
        var rng = SplitMix64(seed: 23)
        var x = randomTensor(count, &rng, exponents: -4...0)
        var y = x
        let head = groups["head"]!.ranges.flatMap { Array($0) }, rest = Array((count / 2 + 5)..<count)
        for _ in 0..<3 {
            let g = randomTensor(count, &rng, exponents: -12...4)
            let before = x
            try recorded.step(parameters: &x, gradients: g, groups: groups)
            try plain.step(parameters: &y, gradients: g, groups: groups)
            #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "recording changes nothing")
            let telemetry = try #require(recorded.telemetry)
            func direct(_ indices: [Int], _ lr: Float) -> (Float, Double) {
                let changes = indices.map { abs((x[$0] - before[$0]) * (1 / lr)) }  // as recorded: times 1/lr
                return (
                    changes.max() ?? 0,
                    (changes.map { Double($0) * Double($0) }.reduce(0, +) / Double(indices.count)).squareRoot()
                )
            }
            let (headLargest, headRMS) = direct(head, 5e-3), (restLargest, _) = direct(rest, 1e-2)
            #expect(telemetry.groups["head"]?.largest == headLargest)
            #expect(abs(Double(telemetry.groups["head"]!.rms) - headRMS) <= 1e-5 * headRMS)
            #expect(telemetry.groups[UpdateTelemetry.ungrouped]?.largest == restLargest)
            #expect(telemetry.groups["frozen"] == nil && telemetry.groups["still"] == nil, "no rate to divide by")
            #expect(telemetry.overall.largest == max(headLargest, restLargest))
            #expect(telemetry.overall.count == head.count + rest.count)
        }
    }

    /// One segment split across three threads, its largest update in the last chunk: every
    /// chunk's statistics reach the result.
    @Test func everyWorkerChunkIsCounted() throws {
        let count = 3 * 64 + 40
        var optimizer = try SGDM(learningRate: 1, momentum: 0)
        optimizer.recordsTelemetry = true
        var gradients = FlatTensor(repeating: 1, count: count)
        gradients[count - 3] = 5
        var x = FlatTensor(zeros: count)
        try withThreads(3, minimumElementsPerThread: 64) { try optimizer.step(parameters: &x, gradients: gradients) }
        let telemetry = try #require(optimizer.telemetry)
        #expect(telemetry.overall.largest == 5 && telemetry.overall.count == count)
        #expect(abs(Double(telemetry.overall.rms) - ((Double(count - 1) + 25) / Double(count)).squareRoot()) < 1e-6)
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
            largest = (
                max(largest.s3, s3.telemetry!.overall.largest), max(largest.adam, adam.telemetry!.overall.largest)
            )
        }
        #expect(largest.s3 <= 1.0001 && largest.adam > 3, "\(largest)")
        s3.recordsTelemetry = false
        try s3.step(parameters: &a, gradients: [1])
        #expect(s3.telemetry == nil)
    }
}
