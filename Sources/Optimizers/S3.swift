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
/// Deviation (storage only): the second buffer holds `r = s^(1/p)` rather than `s`, so that
/// `|g|^p` cannot overflow or underflow in float32 (p = 8 does so below 1e-5 and above 6e4);
/// the update equals the rule above wherever float32 can represent it and keeps `|n| <= b`
/// for every finite gradient. `p` = 1, 2, 3, 4 have dedicated kernels; other `p` use vector
/// `log2`/`exp2` polynomials.
///
/// Ablations (the paper's Table III): `nesterov: false`; separate coefficients `beta1` (for `m`
/// and `n`) and `beta2` (for `s` and `b`), for which Theorem 2 bounds the step by
/// `(1 - b1) / (1 - b2)^(1/p) * (1 - b1^q / b2^(q/p))^(-1/q)`, `q = p / (p - 1)`.
///
/// Defaults: `beta` 0.95, `p` 3, `epsilon` 1e-8, `weightDecay` 0, `nesterov` true.
/// State: two buffers (8 bytes per parameter, as Adam; the Nesterov step costs no memory), or
/// with `momentPrecision: .bfloat16` one (4 bytes per parameter): `m` and `r` rounded to the
/// nearest bfloat16, then `m` clamped to `[-r, r]`. Rounding is monotonic, so `|m| <= r` (which
/// the exact moments satisfy by the power-mean inequality, and Theorem 2 rests on) survives it
/// and every step stays within the learning rate as in float32. An 8-bit average ignores changes
/// smaller than `2^-9 / (1 - beta)` of itself: 4% at beta 0.95, 20% at 0.99 (use float32 there).
public struct S3: StatefulOptimizer {

    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: Sendable, Equatable, Codable {
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
        /// Use the Nesterov estimates (line 6 and 7) instead of the plain moments.
        public let nesterov: Bool
        /// How `m` and `r` are stored (float32 unless asked).
        public let momentPrecision: MomentPrecision

        /// The paper's S3: one coefficient for both moments.
        public init(beta: Float = 0.95, p: Float = 3, epsilon: Float = 1e-8, weightDecay: Float = 0,
                    nesterov: Bool = true, momentPrecision: MomentPrecision = .float32) throws {
            try self.init(beta1: beta, beta2: beta, p: p, epsilon: epsilon, weightDecay: weightDecay, nesterov: nesterov,
                          momentPrecision: momentPrecision)
        }

        /// The ablation with separate coefficients; the update bound of 1 holds only when they are equal.
        public init(beta1: Float, beta2: Float, p: Float = 3, epsilon: Float = 1e-8, weightDecay: Float = 0,
                    nesterov: Bool = true, momentPrecision: MomentPrecision = .float32) throws {
            try Validate.coefficient(beta1 == beta2 ? "beta" : "beta1", beta1)
            try Validate.coefficient(beta1 == beta2 ? "beta" : "beta2", beta2)
            try Validate.atLeast(1, "p", p)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.p, self.epsilon) = (beta1, beta2, p, epsilon)
            (self.weightDecay, self.nesterov, self.momentPrecision) = (weightDecay, nesterov, momentPrecision)
        }

        private enum CodingKeys: String, CodingKey {
            case beta1, beta2, p, epsilon, weightDecay, nesterov, momentPrecision
        }

        /// Decodes without validating (restoring a checkpoint validates); a configuration saved
        /// before `momentPrecision` existed decodes as `.float32`.
        public init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            beta1 = try values.decode(Float.self, forKey: .beta1)
            beta2 = try values.decode(Float.self, forKey: .beta2)
            p = try values.decode(Float.self, forKey: .p)
            epsilon = try values.decode(Float.self, forKey: .epsilon)
            weightDecay = try values.decode(Float.self, forKey: .weightDecay)
            nesterov = try values.decode(Bool.self, forKey: .nesterov)
            momentPrecision = try values.decodeIfPresent(MomentPrecision.self, forKey: .momentPrecision) ?? .float32
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// The first moment `m` (empty until allocated); with bfloat16 moments, each element's
        /// `m` and `r` packed into one 32-bit slot (see ``MomentPrecision``).
        public internal(set) var firstMoment = FlatTensor()
        /// The p-th root `r = s^(1/p)` of the p-th-order moment `s` (empty until allocated, and
        /// with bfloat16 moments).
        public internal(set) var momentRoot = FlatTensor()

        /// The buffers, in a fixed order (for checkpoints).
        var buffers: [FlatTensor] {
            get { [firstMoment, momentRoot] }
            set {
                firstMoment = newValue[0]
                momentRoot = newValue[1]
            }
        }
    }

    public let configuration: Configuration
    public var learningRate: Float
    public var gradientCheck: GradientCheck = .rejectNonFinite
    public var recordsTelemetry = false
    public internal(set) var telemetry: UpdateTelemetry?
    public internal(set) var state = State()
    /// The element count the state was built for, or nil before the first step.
    public internal(set) var stateCount: Int?

    /// Creates the paper's S3; `parameterCount` allocates the state now instead of at the first step.
    public init(learningRate: Float, beta: Float = 0.95, p: Float = 3, epsilon: Float = 1e-8,
                weightDecay: Float = 0, nesterov: Bool = true, momentPrecision: MomentPrecision = .float32,
                parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta: beta, p: p, epsilon: epsilon, weightDecay: weightDecay,
                                                   nesterov: nesterov, momentPrecision: momentPrecision),
                      parameterCount: parameterCount)
    }

    /// Creates the ablation with separate coefficients for the numerator and the denominator.
    public init(learningRate: Float, beta1: Float, beta2: Float, p: Float = 3, epsilon: Float = 1e-8,
                weightDecay: Float = 0, nesterov: Bool = true, momentPrecision: MomentPrecision = .float32,
                parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta1: beta1, beta2: beta2, p: p, epsilon: epsilon,
                                                   weightDecay: weightDecay, nesterov: nesterov,
                                                   momentPrecision: momentPrecision),
                      parameterCount: parameterCount)
    }

    public init(learningRate: Float, configuration: Configuration, parameterCount: Int? = nil) throws {
        try Validate.nonNegative("learningRate", learningRate)
        try Validate.parameterCount(parameterCount)
        self.learningRate = learningRate
        self.configuration = configuration
        if let parameterCount { allocate(parameterCount) }
    }
}

extension S3: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(beta1: c.beta1, beta2: c.beta2, p: c.p, epsilon: c.epsilon, weightDecay: c.weightDecay,
                          nesterov: c.nesterov, momentPrecision: c.momentPrecision)
    }

    private mutating func allocate(_ count: Int) {
        state.firstMoment = FlatTensor(zeros: count)
        state.momentRoot = configuration.momentPrecision == .float32 ? FlatTensor(zeros: count) : FlatTensor()
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
    }

    func coefficients(learningRate: Float, weightDecay: Float) -> S3Kernel.Coefficients {
        let config = configuration
        return S3Kernel.Coefficients(
            learningRate: learningRate, weightDecay: weightDecay, epsilon: config.epsilon,
            beta1: config.beta1, beta2: config.beta2, p: config.p, nesterov: config.nesterov,
            bfloat16: config.momentPrecision == .bfloat16)
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let c = coefficients(learningRate: learningRate, weightDecay: weightDecay)
        let m = state.firstMoment.mutableBase()
        let r = c.bfloat16 ? m : state.momentRoot.mutableBase()  // bfloat16: r shares m's slots
        return S3Kernel.update(c, x: parameters, g: gradients, m: m, r: r, range: range,
                               recordingWith: inverseLearningRate)
    }
}
