import Foundation
import Optimizers
import Testing

/// S3 and AdamW with their moments stored as bfloat16 (`momentPrecision: .bfloat16`). The
/// generic tests (errors, checkpoints, shards, groups, threads, kernels) run both through
/// `Catalog.all`, and S3's update bound is checked in `PropertyTests`; these tests cover what
/// is particular to the storage.
@Suite("bfloat16 moments")
struct BFloat16MomentTests {
    /// Half the memory: one 32-bit slot per parameter, whose high half is m.
    @Test func oneSlotPerParameterHoldingMAndR() throws {
        var optimizer = try S3(learningRate: 1e-2, momentPrecision: .bfloat16)
        var x = FlatTensor(zeros: 5)
        let g: FlatTensor = [1, -2, 3e-30, 0, -7e20]
        try optimizer.step(parameters: &x, gradients: g)
        let slots = try #require(optimizer.state.packedMoments)
        #expect(slots.count == 5 && optimizer.state.firstMoment.count == 5 && optimizer.state.momentRoot.count == 5)
        for (index, (slot, gradient)) in zip(slots, g).enumerated() {
            let bits = slot.bitPattern
            let m = Float(bitPattern: bits & 0xffff_0000), r = Float(bitPattern: bits << 16)
            // After one step from zero: m = (1 - beta) g, r = (1 - beta)^(1/3) |g|.
            let exactM = 0.05 * Double(gradient), exactR = pow(0.05, 1.0 / 3) * Double(abs(gradient))
            #expect(abs(Double(m) - exactM) <= abs(exactM) * 0x1p-8, "m \(m) for g \(gradient)")
            #expect(abs(Double(r) - exactR) <= exactR * 0x1p-8, "r \(r) for g \(gradient)")
            #expect(abs(Double(slot) - exactM) <= abs(exactM) * 0x1p-7, "the slot reads as m")
            #expect(
                optimizer.state.firstMoment[index] == m && optimizer.state.momentRoot[index] == r,
                "the accessors unpack")
        }
        #expect(try S3(learningRate: 1e-2).state.packedMoments == nil)
    }

    /// On random gradients the trajectory stays close to float32 S3's: rounding the moments
    /// changes each step's size by about a percent, not its direction.
    @Test(arguments: [1, 2, 3] as [Float])
    func tracksFloat32Moments(p: Float) throws {
        let worst = try Self.largestDifference(
            try S3(learningRate: Self.lr, p: p),
            try S3(learningRate: Self.lr, p: p, momentPrecision: .bfloat16), seed: 11)
        #expect(worst < 0.015, "p \(p): largest difference \(worst) of the distance lr * steps")
    }

    /// A constant gradient still drives the step close to lr (float32: exactly lr).
    @Test func constantGradientStepsByAboutTheLearningRate() throws {
        var optimizer = try S3(learningRate: 1, momentPrecision: .bfloat16)
        let g: FlatTensor = [1e-3, -1, 3e4, -1e20, 2.5e-2, 7]
        var step: [Float] = []
        for _ in 0..<400 {
            var x = FlatTensor(zeros: g.count)
            try optimizer.step(parameters: &x, gradients: g)
            step = x.map { abs($0) }
        }
        #expect(step.allSatisfy { $0 <= 1 && $0 > 0.99 }, "\(step)")
    }

    /// A configuration saved before `momentPrecision` existed decodes as float32 (S3, AdamW).
    @Test func olderConfigurationsDecodeAsFloat32() throws {
        let json = #"{"beta1":0.95,"beta2":0.95,"p":3,"epsilon":1e-08,"weightDecay":0,"nesterov":true}"#
        let configuration = try JSONDecoder().decode(S3.Configuration.self, from: Data(json.utf8))
        #expect(configuration == (try S3.Configuration()))
        let encoded = try JSONEncoder().encode(try S3.Configuration(momentPrecision: .bfloat16))
        #expect(try JSONDecoder().decode(S3.Configuration.self, from: encoded).momentPrecision == .bfloat16)
        let adamW = #"{"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"weightDecay":0.01}"#
        #expect(
            try JSONDecoder().decode(AdamW.Configuration.self, from: Data(adamW.utf8)) == (try AdamW.Configuration()))
    }

    /// AdamW rounds stochastically: its second moment keeps tracking a constant gradient,
    /// where rounding to nearest would stall it near 0.25 (increments of 0.001 (1 - v) fall
    /// below half a bfloat16 step there), and the slot still holds m and v.
    @Test func adamWSecondMomentDoesNotStall() throws {
        var optimizer = try AdamW(learningRate: 1e-3, weightDecay: 0, momentPrecision: .bfloat16)
        var x = FlatTensor((0..<64).map { Float($0) })
        let g = FlatTensor(repeating: 1, count: 64)
        for _ in 0..<2000 { try optimizer.step(parameters: &x, gradients: g) }
        #expect(optimizer.state.packedMoments?.count == 64)
        let expected = 1 - pow(0.999, 2000.0)  // 0.8648
        let meanV = optimizer.state.secondMoment.reduce(0.0) { $0 + Double($1) } / 64
        #expect(abs(meanV - expected) < 0.02, "mean v \(meanV), exact \(expected)")
        #expect(optimizer.state.firstMoment.allSatisfy { abs($0 - 1) < 0x1p-7 }, "m -> 1")
    }

    /// The rounding bits include the step: a parameter that does not move (learning rate 0)
    /// still draws new bits every step, so its `v` keeps tracking (with bits from the parameter
    /// and gradient alone, it would round the same way every step and stall near 0.39).
    @Test func adamWRoundingChangesWithTheStep() throws {
        var optimizer = try AdamW(learningRate: 0, weightDecay: 0, momentPrecision: .bfloat16)
        var x = FlatTensor((0..<64).map { Float($0) })
        for _ in 0..<2000 { try optimizer.step(parameters: &x, gradients: FlatTensor(repeating: 1, count: 64)) }
        let meanV = optimizer.state.secondMoment.reduce(0.0) { $0 + Double($1) } / 64
        #expect(abs(meanV - (1 - pow(0.999, 2000.0))) < 0.02, "mean v \(meanV)")
    }

    /// With beta 0 and gradients near the largest float, float32 rounding of m and the cap on r
    /// could leave |m| > r; the clamp keeps the stored pair consistent and the step finite.
    @Test func s3StoredMomentNeverExceedsItsRoot() throws {
        for p: Float in [1, 2, 3] {
            var optimizer = try S3(learningRate: 1, beta: 0, p: p, momentPrecision: .bfloat16)
            for g: Float in [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 3.3e38, -1e38] {
                var x = FlatTensor(zeros: 1)
                try optimizer.step(parameters: &x, gradients: [g])
                #expect(x[0].isFinite && abs(x[0]) <= 1, "p \(p), g \(g): \(x[0])")
                let (m, r) = (optimizer.state.firstMoment[0], optimizer.state.momentRoot[0])
                #expect(abs(m) <= r, "p \(p), g \(g): m \(m), r \(r)")
            }
        }
    }

    /// On random gradients AdamW with bfloat16 moments stays close to float32 AdamW, with and
    /// without AMSGrad (whose running maximum stays float32).
    @Test(arguments: [false, true])
    func adamWTracksFloat32Moments(amsgrad: Bool) throws {
        let worst = try Self.largestDifference(
            try AdamW(learningRate: Self.lr, amsgrad: amsgrad),
            try AdamW(learningRate: Self.lr, amsgrad: amsgrad, momentPrecision: .bfloat16), seed: 12)
        #expect(worst < 0.015, "largest difference \(worst) of the distance lr * steps")
    }

    static let lr: Float = 1e-3

    /// Steps `full` and `half` from zero on the same 200 noisy gradients for 1000 coordinates
    /// (a persistent signal per coordinate, at scales 2^-12 to 2^2, plus noise of its size) and
    /// returns their largest difference in units of the distance `lr * steps`.
    static func largestDifference(_ full: any Optimizer, _ half: any Optimizer, seed: UInt64) throws -> Float {
        let count = 1000, steps = 200
        var (full, half) = (full, half)
        var x = FlatTensor(zeros: count), y = FlatTensor(zeros: count)
        var rng = SplitMix64(seed: seed)
        let scales = (0..<count).map { _ in rng.float(exponents: (-12)...2, zeroQuarters: 0) }
        for _ in 0..<steps {
            let g = FlatTensor(
                (0..<count).map { i -> Float in
                    let noise = Float(rng.next() % 2001) / 1000 - 1
                    return scales[i] * (0.5 + noise)
                })
            try full.step(parameters: &x, gradients: g)
            try half.step(parameters: &y, gradients: g)
        }
        var worst: Float = 0
        for (a, b) in zip(x, y) { worst = max(worst, abs(a - b) / (lr * Float(steps))) }
        return worst
    }
}
