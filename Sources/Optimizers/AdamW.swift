/// Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
/// Regularization", ICLR 2019), matching `torch.optim.AdamW` (amsgrad off).
///
/// For each element, at step `t = 1, 2, ...`, with `m` and `v` starting at zero:
/// ```
/// x = x * (1 - lr * wd)
/// m = b1 * m + (1 - b1) * g
/// v = b2 * v + (1 - b2) * g * g
/// x = x - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
/// ```
/// With `weightDecay == 0` this is Adam (Kingma & Ba, 2015). Theorem 1 of Peng et al. 2025
/// bounds `|m / sqrt(v)|` (without bias correction, `eps -> 0`) by
/// `(1 - b1) / sqrt((1 - b2)(1 - b1^2 / b2))`, about 7.27 at the defaults: one coordinate can
/// move by 7 learning rates in a single step.
///
/// Defaults: `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-8, `weightDecay` 0.01.
/// State: the two moment buffers (8 bytes per parameter), or with `momentPrecision: .bfloat16`
/// one (4 bytes per parameter): `m` and `v` rounded to bfloat16 stochastically (up or down,
/// unbiased), with the random bits drawn from a hash of each element's parameter, gradient and
/// step, so results do not depend on threads or sharding and resume exactly. Rounding to
/// nearest would not do: an 8-bit average ignores changes below `2^-9 / (1 - beta2)` of itself,
/// 195% at `beta2` 0.999.
public struct AdamW: StatefulOptimizer {
    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: Sendable, Equatable, Codable {
        /// First-moment coefficient, in [0, 1).
        public let beta1: Float
        /// Second-moment coefficient, in [0, 1).
        public let beta2: Float
        /// Added to the denominator; finite and > 0.
        public let epsilon: Float
        /// Decoupled weight decay; finite and >= 0.
        public let weightDecay: Float
        /// How `m` and `v` are stored (float32 unless asked).
        public let momentPrecision: MomentPrecision

        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01,
                    momentPrecision: MomentPrecision = .float32) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
            self.momentPrecision = momentPrecision
        }

        private enum CodingKeys: String, CodingKey {
            case beta1, beta2, epsilon, weightDecay, momentPrecision
        }

        /// Decodes without validating (restoring a checkpoint validates); a configuration saved
        /// before `momentPrecision` existed decodes as `.float32`.
        public init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            beta1 = try values.decode(Float.self, forKey: .beta1)
            beta2 = try values.decode(Float.self, forKey: .beta2)
            epsilon = try values.decode(Float.self, forKey: .epsilon)
            weightDecay = try values.decode(Float.self, forKey: .weightDecay)
            momentPrecision = try values.decodeIfPresent(MomentPrecision.self, forKey: .momentPrecision) ?? .float32
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// The first moment `m`, one element per parameter (empty until allocated); with bfloat16
        /// moments, each element's `m` and `v` packed into one 32-bit slot (see ``MomentPrecision``).
        public internal(set) var firstMoment = FlatTensor()
        /// The second moment `v`, one element per parameter (empty until allocated, and with
        /// bfloat16 moments).
        public internal(set) var secondMoment = FlatTensor()

        /// The buffers, in a fixed order (for checkpoints).
        var buffers: [FlatTensor] {
            get { [firstMoment, secondMoment] }
            set {
                firstMoment = newValue[0]
                secondMoment = newValue[1]
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

    /// Creates an AdamW optimizer; `parameterCount` allocates the state now instead of at the first step.
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01, momentPrecision: MomentPrecision = .float32,
                parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
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

extension AdamW: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay,
                          momentPrecision: c.momentPrecision)
    }

    private mutating func allocate(_ count: Int) {
        state.firstMoment = FlatTensor(zeros: count)
        state.secondMoment = configuration.momentPrecision == .float32 ? FlatTensor(zeros: count) : FlatTensor()
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let bfloat16 = configuration.momentPrecision == .bfloat16
        let c = AdamWKernel.Coefficients(
            learningRate: learningRate, weightDecay: weightDecay, beta1: configuration.beta1,
            beta2: configuration.beta2, epsilon: configuration.epsilon, step: state.step, bfloat16: bfloat16)
        let m = state.firstMoment.mutableBase()
        let v = bfloat16 ? m : state.secondMoment.mutableBase()  // bfloat16: v shares m's slots
        return AdamWKernel.update(AdamWKernel.Arguments(c: c, x: parameters, g: gradients, m: m, v: v),
                                  range: range, recordingWith: inverseLearningRate)
    }
}
