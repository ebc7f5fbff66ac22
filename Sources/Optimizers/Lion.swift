/// Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
/// Algorithms"), matching `lion-pytorch`.
///
/// For each element, with `m` starting at zero:
/// ```
/// c = b1 * m + (1 - b1) * g
/// x = x * (1 - lr * wd)
/// x = x - lr * sign(c)                  sign(+0) = sign(-0) = 0
/// m = b2 * m + (1 - b2) * g
/// ```
/// Every coordinate moves by exactly `lr` (or 0), so Lion usually wants a learning rate 3-10x
/// smaller than AdamW's. With `beta1 == beta2 == 0` it is signSGD.
///
/// Defaults: `beta1` 0.9, `beta2` 0.99, `weightDecay` 0. State: one momentum buffer (4 bytes per
/// parameter).
public struct Lion: StatefulOptimizer {
    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: Sendable, Equatable, Codable {
        /// Interpolation coefficient of the update direction, in [0, 1).
        public let beta1: Float
        /// Momentum coefficient, in [0, 1).
        public let beta2: Float
        /// Decoupled weight decay; finite and >= 0.
        public let weightDecay: Float

        public init(beta1: Float = 0.9, beta2: Float = 0.99, weightDecay: Float = 0) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.weightDecay) = (beta1, beta2, weightDecay)
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// The momentum `m` (empty until allocated).
        public internal(set) var momentum = FlatTensor()

        /// The buffers, in a fixed order (for checkpoints).
        var buffers: [FlatTensor] {
            get { [momentum] }
            set {
                momentum = newValue[0]
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

    /// Creates a Lion optimizer; `parameterCount` allocates the state now instead of at the first step.
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.99, weightDecay: Float = 0,
                parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta1: beta1, beta2: beta2, weightDecay: weightDecay),
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

extension Lion: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(beta1: c.beta1, beta2: c.beta2, weightDecay: c.weightDecay)
    }

    private mutating func allocate(_ count: Int) {
        state.momentum = FlatTensor(zeros: count)
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let config = configuration
        let c = LionKernel.Coefficients(
            decay: 1 - learningRate * weightDecay, learningRate: learningRate,
            beta1: config.beta1, oneMinusBeta1: 1 - config.beta1,
            beta2: config.beta2, oneMinusBeta2: 1 - config.beta2)
        let kernel = LionKernel(c: c, x: parameters, g: gradients, m: state.momentum.mutableBase())
        return forEachVectorInParallel(in: range, kernel, recordingWith: inverseLearningRate)
    }
}
