import _OptimizersKernels

/// SoftSignSGD (Peng et al. 2025, "SoftSignSGD (S3): An Enhanced Optimizer for Practical DNN
/// Training and Loss Spikes Minimization Beyond Adam", arXiv 2507.06464, Algorithm 1), with the
/// decoupled weight decay its experiments use.
///
/// For each element, with `m` and `s` starting at zero and one coefficient `beta` for both:
/// ```
/// x = x * (1 - lr * wd)
/// m = beta * m + (1 - beta) * g                                      (line 4)
/// s = beta * s + (1 - beta) * |g|^p                                  (line 5)
/// n = beta * m + (1 - beta) * g         if nesterov, else n = m      (line 6, NAG in form II)
/// b = (beta * s + (1 - beta) * |g|^p)^(1/p)   if nesterov, else s^(1/p)   (line 7)
/// x = x - lr * n / (b + eps)                                         (line 8)
/// ```
/// No bias correction and no gradient clipping: by Hölder's inequality `|n| <= b` for every
/// gradient sequence and every `p >= 1` (Theorem 2), so every coordinate moves by at most `lr`
/// (plus weight decay): the update is a "soft sign" in [-1, 1]. A constant gradient drives it to
/// exactly `lr`. Larger `p` gives smaller steps on the same history and tolerates larger
/// learning rates; the paper recommends `p = 3` with a learning rate about 10x AdamW's.
///
/// Deviations, both invisible wherever float32 can represent the rule:
/// - Storage: the second buffer holds `r = s^(1/p)` rather than `s`, so that `|g|^p` cannot
///   overflow or underflow in float32 (p = 8 does so below 1e-5 and above 6e4).
/// - Rounding guard: with one coefficient, `n / (b + eps)` is clamped to [-1, 1]. Exact
///   arithmetic never needs it; float32 rounds `n` and `b` separately, which can exceed 1 by a
///   few ulps (and by more for subnormal gradients, which keep few significant bits). With it
///   the bound of one learning rate is exact for every finite gradient, every `p` and every
///   valid `epsilon`.
///
/// `p` = 1, 2, 3, 4 have dedicated kernels; other `p` use vector `log2`/`exp2` polynomials.
///
/// Ablations (the paper's Table III): `nesterov: false`; separate coefficients `beta1` (for `m`
/// and `n`) and `beta2` (for `s` and `b`), for which Theorem 2 bounds the step by
/// `(1 - b1) / (1 - b2)^(1/p) * (1 - b1^q / b2^(q/p))^(-1/q)`, `q = p / (p - 1)`.
///
/// Defaults: `beta` 0.95, `p` 3, `epsilon` 1e-8, `weightDecay` 0, `nesterov` true.
///
/// State: two buffers (8 bytes per parameter, as Adam; the Nesterov step costs no memory), or
/// with `momentPrecision: .bfloat16` one (4 bytes per parameter): `m` and `r` rounded to the
/// nearest bfloat16, then `m` clamped to `[-r, r]`. Rounding is monotonic, so `|m| <= r` (which
/// the exact moments satisfy by the power-mean inequality, and Theorem 2 rests on) survives it.
/// An 8-bit average ignores changes smaller than `2^-9 / (1 - beta)` of itself: 4% at beta
/// 0.95, 20% at 0.99 (use float32 there).
public struct S3: StatefulOptimizer {
    var core: OptimizerCore<Configuration, State>
    init(core: OptimizerCore<Configuration, State>) { self.core = core }

    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: OptimizerConfiguration {
        /// Coefficient of the first moment `m` and of the numerator `n`, in [0, 1).
        public let beta1: Float
        /// Coefficient of the p-th moment `s` and of the denominator `b`, in [0, 1).
        public let beta2: Float
        /// Order of the denominator's moment; finite and >= 1.
        public let p: Float
        /// Added to the denominator; finite and > 0.
        public let epsilon: Float
        /// Decoupled weight decay; finite and >= 0.
        public let weightDecay: Float
        /// Use the Nesterov estimates (lines 6 and 7) instead of the plain moments.
        public let nesterov: Bool
        /// How `m` and `r` are stored (float32 unless asked).
        public let momentPrecision: MomentPrecision

        /// The defaults, those of ``S3/init(learningRate:beta:p:epsilon:weightDecay:nesterov:momentPrecision:parameterCount:)``.
        public static let defaults = try! S3(learningRate: 0).configuration

        /// Validated hyperparameters; `beta1 == beta2` is the paper's S3, and an invalid value
        /// is then reported as `beta`.
        ///
        /// - Parameters:
        ///   - beta1: Coefficient of the first moment `m` and of the numerator `n`, in [0, 1).
        ///   - beta2: Coefficient of the p-th moment `s` and of the denominator `b`, in [0, 1).
        ///   - p: Order of the denominator's moment; finite and >= 1.
        ///   - epsilon: Added to the denominator; finite and > 0.
        ///   - weightDecay: Decoupled weight decay; finite and >= 0.
        ///   - nesterov: Use the Nesterov estimates (lines 6 and 7) instead of the plain moments.
        ///   - momentPrecision: How `m` and `r` are stored (float32 unless asked).
        /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
        public init(
            beta1: Float = defaults.beta1, beta2: Float = defaults.beta2, p: Float = defaults.p,
            epsilon: Float = defaults.epsilon, weightDecay: Float = defaults.weightDecay,
            nesterov: Bool = defaults.nesterov, momentPrecision: MomentPrecision = defaults.momentPrecision
        ) throws {
            try Validate.coefficient(beta1 == beta2 ? "beta" : "beta1", beta1)
            try Validate.coefficient(beta1 == beta2 ? "beta" : "beta2", beta2)
            try Validate.atLeast(1, "p", p)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.p, self.epsilon) = (beta1, beta2, p, epsilon)
            (self.weightDecay, self.nesterov, self.momentPrecision) = (weightDecay, nesterov, momentPrecision)
        }

        /// Decodes and validates; a configuration saved before `momentPrecision` existed
        /// decodes as `.float32`.
        ///
        /// - Throws: `DecodingError`, or ``OptimizerError`` for a value outside its range.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                beta1: c(.beta1), beta2: c(.beta2), p: c(.p), epsilon: c(.epsilon), weightDecay: c(.weightDecay),
                nesterov: c(.nesterov), momentPrecision: c(.momentPrecision, default: .float32))
        }
    }

    /// Everything that changes from step to step.
    public struct State: ElementwiseState {
        /// Steps taken so far.
        public internal(set) var step = 0
        /// `m` (float32 moments) or each element's `m` and `r` packed into one slot (bfloat16).
        var storedFirst = FlatTensor()
        /// `r` (float32 moments; empty with bfloat16).
        var storedRoot = FlatTensor()

        /// The state before the first step: step 0, every buffer empty.
        public init() {}

        typealias Configuration = S3.Configuration

        private enum CodingKeys: String, CodingKey {
            case step
            case storedFirst = "firstMoment"
            case storedRoot = "momentRoot"
        }

        /// The first moment `m`, one element per parameter (empty before the first step).
        public var firstMoment: FlatTensor { packedMoments.map(BFloat16Moments.first) ?? storedFirst }
        /// The p-th root `r = s^(1/p)` of the p-th-order moment `s`, one element per parameter.
        public var momentRoot: FlatTensor { packedMoments.map(BFloat16Moments.second) ?? storedRoot }
        /// With bfloat16 moments, the packed slots (`m` in the high half, `r` in the low half;
        /// see ``MomentPrecision``); nil with float32 moments.
        public var packedMoments: FlatTensor? { storedRoot.isEmpty && !storedFirst.isEmpty ? storedFirst : nil }

        static var buffers: [(name: String, path: WritableKeyPath<State, FlatTensor>)] {
            [
                ("firstMoment", \.storedFirst), ("momentRoot", \.storedRoot),
            ]
        }

        static func usesBuffer(_ index: Int, configuration: Configuration) -> Bool {
            index == 0 || configuration.momentPrecision == .float32
        }

        /// `r >= 0`, and with one coefficient `|m| <= r` (Theorem 2's premise), to within the
        /// float32 rounding of a step (a few ulps, or a few subnormal steps).
        func validateContents(configuration: Configuration) throws {
            let sameBeta = configuration.beta1 == configuration.beta2
            func problem(_ m: Float, _ r: Float) -> String? {
                guard r >= 0 else { return "r >= 0" }
                guard !sameBeta || m.magnitude <= r + max(r * 0x1p-20, 0x1p-140) else { return "|m| <= r" }
                return nil
            }
            if let packed = packedMoments {
                try BFloat16Moments.validate(packed, buffer: "firstMoment", problem)
                return
            }
            try Checks.all(storedRoot, buffer: "momentRoot", ">= 0") { $0 >= 0 }
            for index in storedFirst.indices where problem(storedFirst[index], storedRoot[index]) != nil {
                throw CheckpointError.invalidBufferValue(
                    buffer: "firstMoment", index: index, value: storedFirst[index],
                    allowed: "|m| <= momentRoot[\(index)]")
            }
        }
    }

    /// Creates the paper's S3.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps. Every coordinate moves by
    ///     at most this much per step.
    ///   - beta: The one coefficient of both moments, in [0, 1).
    ///   - p: Order of the denominator's moment; finite and >= 1.
    ///   - epsilon: Added to the denominator; finite and > 0.
    ///   - weightDecay: Decoupled weight decay; finite and >= 0.
    ///   - nesterov: Use the Nesterov estimates (the paper's S3) or the plain moments.
    ///   - momentPrecision: How `m` and `r` are stored between steps.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, beta: Float = 0.95, p: Float = 3, epsilon: Float = 1e-8, weightDecay: Float = 0,
        nesterov: Bool = true, momentPrecision: MomentPrecision = .float32, parameterCount: Int? = nil
    ) throws {
        try self.init(
            learningRate: learningRate, beta1: beta, beta2: beta, p: p, epsilon: epsilon, weightDecay: weightDecay,
            nesterov: nesterov, momentPrecision: momentPrecision, parameterCount: parameterCount)
    }

    /// Creates the ablation with separate coefficients for the numerator (`beta1`) and the
    /// denominator (`beta2`); the update bound of one learning rate holds only when they are equal.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps.
    ///   - beta1: Coefficient of the first moment `m` and of the numerator `n`, in [0, 1).
    ///   - beta2: Coefficient of the p-th moment `s` and of the denominator `b`, in [0, 1).
    ///   - p: Order of the denominator's moment; finite and >= 1.
    ///   - epsilon: Added to the denominator; finite and > 0.
    ///   - weightDecay: Decoupled weight decay; finite and >= 0.
    ///   - nesterov: Use the Nesterov estimates or the plain moments.
    ///   - momentPrecision: How `m` and `r` are stored between steps.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, beta1: Float, beta2: Float, p: Float = Configuration.defaults.p,
        epsilon: Float = Configuration.defaults.epsilon, weightDecay: Float = Configuration.defaults.weightDecay,
        nesterov: Bool = Configuration.defaults.nesterov,
        momentPrecision: MomentPrecision = Configuration.defaults.momentPrecision, parameterCount: Int? = nil
    ) throws {
        let configuration = try Configuration(
            beta1: beta1, beta2: beta2, p: p, epsilon: epsilon, weightDecay: weightDecay,
            nesterov: nesterov, momentPrecision: momentPrecision)
        try self.init(learningRate: learningRate, configuration: configuration, parameterCount: parameterCount)
    }
}

extension S3: ElementwiseOptimizer {
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics? {
        let c = configuration, bfloat16 = c.momentPrecision == .bfloat16
        let m = core.state.storedFirst.mutableBase()
        let r = bfloat16 ? m : core.state.storedRoot.mutableBase()  // bfloat16: r shares m's slots
        let arguments = S3Arguments(
            decay: 1 - pass.learningRate * pass.weightDecay, learningRate: pass.learningRate, epsilon: c.epsilon,
            beta1: c.beta1, beta2: c.beta2, p: c.p, x: pass.x, g: pass.g, m: m, r: r)
        return pass.run(pass.kernels.s3(S3Power(c.p), nesterov: c.nesterov, bfloat16: bfloat16), arguments)
    }
}
