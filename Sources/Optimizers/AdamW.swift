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
/// State: the two moment buffers (8 bytes per parameter).
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

        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// The first moment `m`, one element per parameter (empty until allocated).
        public internal(set) var firstMoment = FlatTensor()
        /// The second moment `v`, one element per parameter (empty until allocated).
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
                weightDecay: Float = 0.01, parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay),
                      parameterCount: parameterCount)
    }

    public init(learningRate: Float, configuration: Configuration, parameterCount: Int? = nil) throws {
        try Validate.nonNegative("learningRate", learningRate)
        try Validate.parameterCount(parameterCount)
        self.learningRate = learningRate
        self.configuration = configuration
        if let parameterCount { allocate(parameterCount) }
    }

    public mutating func step(parameters: inout FlatTensor, gradients: FlatTensor) throws {
        try performStep(parameters: &parameters, gradients: gradients)
    }

    /// Restores an optimizer from a checkpoint, re-validating everything in it.
    public init(restoring checkpoint: Checkpoint<Self>) throws {
        self = try Self.restored(from: checkpoint)
    }

    /// One step with per-group learning-rate multipliers and weight decays (see ``ParameterGroups``).
    public mutating func step(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups) throws {
        try performStep(parameters: &parameters, gradients: gradients, groups: groups)
    }

    /// One step of one shard of a larger buffer (see ``StatefulOptimizer``).
    public mutating func step(shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor,
                              groups: ParameterGroups? = nil) throws {
        try performStep(parameters: &parameters, gradients: gradients, shard: shard, groups: groups)
    }
}

extension AdamW: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay)
    }

    private mutating func allocate(_ count: Int) {
        state.firstMoment = FlatTensor(zeros: count)
        state.secondMoment = FlatTensor(zeros: count)
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let c = AdamWKernel.Coefficients(
            learningRate: learningRate, weightDecay: weightDecay, beta1: configuration.beta1,
            beta2: configuration.beta2, epsilon: configuration.epsilon, step: state.step)
        let kernel = AdamWKernel(c: c, x: parameters, g: gradients,
                                 m: state.firstMoment.mutableBase(), v: state.secondMoment.mutableBase())
        return forEachVectorInParallel(in: range, kernel, recordingWith: inverseLearningRate)
    }
}
