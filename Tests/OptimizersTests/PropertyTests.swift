import Optimizers
import Testing

/// S3's update bound, and the equivalences between optimizers.
@Suite("Properties")
struct PropertyTests {
    /// Gradient distributions for the bound: exponent ranges (powers of two) of |g|.
    static let distributions: [(String, ClosedRange<Int>)] = [
        ("heavy-tailed 1e-6...1e3", (-20)...10),
        ("tiny ~1e-20", (-70)...(-63)),
        ("huge ~1e20", 63...70),
        ("the whole normal float range", (-126)...127),
        ("subnormal", (-149)...(-127)),
    ]

    /// The smallest positive epsilon with subnormal gradients (where float32 keeps few
    /// significant bits) once moved 1.11 learning rates; now no epsilon does, for any p.
    @Test(arguments: [1, 1.0000001, 2, 3, 4, 8] as [Float])
    func s3BoundHoldsForTinyEpsilonAndSubnormalGradients(p: Float) throws {
        // Subnormals as multiples of the smallest one: 12 * 2^-149 is 1.7e-44 (written as a
        // decimal literal, a subnormal loses precision and draws a compiler warning).
        let tiny = Float.leastNonzeroMagnitude
        for epsilon: Float in [tiny, 71_362 * tiny, .leastNormalMagnitude, 1e-30, 1e-8] {
            for gradient: Float in [12 * tiny, -2 * tiny, 713_624 * tiny, 2.5e-38] {
                var optimizer = try S3(learningRate: 1, p: p, epsilon: epsilon)
                for _ in 0..<12 {
                    var x = FlatTensor(zeros: 3)
                    try optimizer.step(parameters: &x, gradients: [gradient, -gradient, gradient / 2])
                    #expect(x.allSatisfy { abs($0) <= 1 }, "p \(p), eps \(epsilon), g \(gradient): \(Array(x))")
                }
            }
        }
    }

    /// |x_{t+1} - x_t * (1 - lr wd)| <= lr at every step, for every p, beta, Nesterov setting
    /// and gradient distribution, including gradients whose p-th power is not a float, at every
    /// instruction-set level. Parameters restart at 0 before each step, so
    /// `x_{t+1} = -lr * n / (b + eps)` is read exactly (from 1 the rounding of `1 - lr q` alone
    /// is 1e-4 lr), and the bound holds exactly, not to within rounding.
    @Test(arguments: [1, 1.5, 2, 2.5, 3, 4, 8, 16] as [Float], [MomentPrecision.float32, .bfloat16])
    func s3StepNeverExceedsTheLearningRate(p: Float, precision: MomentPrecision) throws {
        for level in testedLevels { try atLevel(level) { try s3Bound(p: p, precision: precision, level: level) } }
    }

    func s3Bound(p: Float, precision: MomentPrecision, level: InstructionSet) throws {
        let lr: Float = 1e-3, weightDecay: Float = 0.1
        for (label, exponents) in Self.distributions {
            for beta: Float in [0, 0.5, 0.9, 0.95, 0.999] {
                for nesterov in [true, false] {
                    var optimizer = try S3(
                        learningRate: lr, beta: beta, p: p, weightDecay: weightDecay, nesterov: nesterov,
                        momentPrecision: precision)
                    var rng = SplitMix64(seed: UInt64(p * 1000) ^ UInt64(beta * 1e6))
                    var largest: Float = 0
                    for t in 1...200 {
                        var x = FlatTensor(zeros: 33)
                        // Bursts: every 20th step the gradients jump by 2^20 in a single step.
                        let burst = t % 20 == 0 ? 20 : 0
                        let shifted = (exponents.lowerBound + burst)...min(exponents.upperBound + burst, 127)
                        let g = FlatTensor((0..<33).map { _ in rng.float(exponents: shifted, zeroQuarters: 1) })
                        try optimizer.step(parameters: &x, gradients: g)
                        for value in x {
                            largest = max(largest, abs(value) / lr)
                        }
                    }
                    #expect(
                        largest <= 1,
                        "p \(p), beta \(beta), nesterov \(nesterov), \(precision), \(label), \(level): \(largest)")
                    #expect(largest.isFinite)
                }
            }
        }
    }

    /// A constant gradient drives every coordinate's step to exactly lr (Theorem 2's equality
    /// case), less the share of epsilon: `|g| / (|g| + eps)`.
    @Test(arguments: [1, 2, 2.5, 3, 4, 8] as [Float])
    func s3ConstantGradientStepsByTheLearningRate(p: Float) throws {
        let lr: Float = 1e-2
        var optimizer = try S3(learningRate: lr, p: p)
        let g: FlatTensor = [1e-3, -1, 3e4, -1e20, 2.5e-2, 7, -7, 1e30, 0.5]
        var step = [Float](repeating: 0, count: g.count)
        for _ in 0..<800 {
            var x = FlatTensor(zeros: g.count)
            try optimizer.step(parameters: &x, gradients: g)
            step = x.map { $0 / lr }
        }
        for (value, gradient) in zip(step, g) {
            let expected = Double(gradient.magnitude) / (Double(gradient.magnitude) + 1e-8)
            #expect(abs(Double(abs(value)) - expected) < 2e-6, "p \(p), g \(gradient): step \(value) lr")
            #expect(value.sign != gradient.sign, "the step descends")
        }
    }

    /// With equal coefficients the bound is 1; the paper's ablation with beta1 < beta2 can exceed it.
    @Test func separateCoefficientsCanExceedOneLearningRate() throws {
        var optimizer = try S3(learningRate: 1, beta1: 0.9, beta2: 0.999, p: 2, nesterov: false)
        var largest: Float = 0
        // Quiet history, then a gradient growing by b2 / b1 per step (Theorem 1's worst case).
        var magnitude: Float = 1e-3
        for t in 0..<400 {
            if t > 300 { magnitude *= 0.999 / 0.9 }
            var x: FlatTensor = [0]
            try optimizer.step(parameters: &x, gradients: [magnitude])
            largest = max(largest, abs(x[0]))
        }
        #expect(largest > 2, "largest step \(largest) lr")
    }

    @Test func lionWithZeroBetasIsSignSGD() throws {
        let lr: Float = 0.01, weightDecay: Float = 0.3
        var lion = try Lion(learningRate: lr, beta1: 0, beta2: 0, weightDecay: weightDecay)
        var rng = SplitMix64(seed: 7)
        var x = FlatTensor((0..<37).map { _ in rng.float(exponents: -4...2) })
        for _ in 0..<20 {
            let g = FlatTensor((0..<37).map { _ in rng.float(exponents: -10...4, zeroQuarters: 1) })
            let expected = zip(x, g).map { x, g in x * (1 - lr * weightDecay) - lr * (g > 0 ? 1 : g < 0 ? -1 : 0) }
            try lion.step(parameters: &x, gradients: g)
            #expect(x.map(\.bitPattern) == expected.map(\.bitPattern))
        }
    }

    @Test func sgdmWithZeroMomentumIsPlainSGD() throws {
        let lr: Float = 0.05, weightDecay: Float = 0.01
        var sgd = try SGDM(learningRate: lr, momentum: 0, weightDecay: weightDecay)
        var rng = SplitMix64(seed: 8)
        var x = FlatTensor((0..<37).map { _ in rng.float(exponents: -4...2) })
        for _ in 0..<20 {
            let g = FlatTensor((0..<37).map { _ in rng.float(exponents: -10...4) })
            let expected = zip(x, g).map { x, g in x - lr * (g + weightDecay * x) }
            try sgd.step(parameters: &x, gradients: g)
            #expect(x.map(\.bitPattern) == expected.map(\.bitPattern))
        }
        #expect(sgd.state.momentumBuffer.isEmpty, "momentum 0 keeps no buffer")
    }

    /// AdamW with weight decay 0 reproduces `torch.optim.Adam` itself (not AdamW with wd = 0).
    @Test func adamWWithoutWeightDecayIsAdam() throws {
        let adam = try #require(try GoldenFile.load("AdamW").cases.first { $0.reference == "Adam" })
        #expect(adam.hyperparameters["weightDecay"] == 0)
        // The golden test checks every step of this case; here, that it is the Adam reference.
        #expect(try GoldenTests().maximumError(Catalog.adamW, adam) <= goldenTolerance)
    }

    /// AMSGrad's maximum only matters once the second moment falls: while `v` grows, AdamW with
    /// and without AMSGrad take the same steps, bit for bit.
    @Test func amsgradEqualsAdamWhileTheSecondMomentGrows() throws {
        var plain = try AdamW(learningRate: 1e-2), amsgrad = try AdamW(learningRate: 1e-2, amsgrad: true)
        var (x, y) = (FlatTensor(repeating: 0.5, count: 19), FlatTensor(repeating: 0.5, count: 19))
        for t in 1...30 {
            let g = FlatTensor((0..<19).map { Float($0 + 1) * Float(t) })  // |g| grows: v grows
            try plain.step(parameters: &x, gradients: g)
            try amsgrad.step(parameters: &y, gradients: g)
        }
        #expect(x.map(\.bitPattern) == y.map(\.bitPattern))
        #expect(amsgrad.state.maximumSecondMoment.map(\.bitPattern) == amsgrad.state.secondMoment.map(\.bitPattern))
        try plain.step(parameters: &x, gradients: FlatTensor(zeros: 19))  // v falls; vmax does not
        try amsgrad.step(parameters: &y, gradients: FlatTensor(zeros: 19))
        #expect(
            zip(x, y).allSatisfy { abs($0) < abs($1) || $0 == $1 } && x != y, "a larger denominator, a smaller step")
    }

    /// NAdam with decoupled weight decay 0 equals NAdam with coupled weight decay 0, and S3 with
    /// beta1 == beta2 through either initialiser is the same optimizer.
    @Test func switchesThatMustNotMatterWithoutTheirInput() throws {
        var rng = SplitMix64(seed: 9)
        let g = FlatTensor((0..<19).map { _ in rng.float(exponents: -10...4) })
        var a = FlatTensor(repeating: 0.5, count: 19), b = a
        var coupled = try NAdam(learningRate: 1e-3, weightDecay: 0)
        var decoupled = try NAdam(learningRate: 1e-3, weightDecay: 0, decoupledWeightDecay: true)
        try coupled.step(parameters: &a, gradients: g)
        try decoupled.step(parameters: &b, gradients: g)
        #expect(a == b)
        #expect(try S3(learningRate: 1, beta: 0.9) == S3(learningRate: 1, beta1: 0.9, beta2: 0.9))
    }
}
