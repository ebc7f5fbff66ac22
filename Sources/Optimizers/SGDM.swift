/// Stochastic gradient descent with momentum, matching `torch.optim.SGD(momentum, dampening,
/// nesterov, weight_decay)`.
///
/// For each element, at step `t = 1, 2, ...`:
/// ```
/// g = g + wd * x                              (coupled L2, as in PyTorch)
/// b = g                                       if t == 1
/// b = momentum * b + (1 - dampening) * g      otherwise
/// d = g + momentum * b                        if nesterov, else d = b
/// x = x - lr * d
/// ```
/// `momentum == 0` is plain SGD, `x = x - lr * g`, and keeps no buffer. Nesterov momentum
/// (Sutskever et al. 2013, in PyTorch's form) needs `momentum > 0` and `dampening == 0`.
///
/// Defaults: `momentum` 0.9 (PyTorch's `SGD` defaults to 0; this type is SGD *with* momentum),
/// `dampening` 0, `nesterov` false, `weightDecay` 0.
/// State: one momentum buffer (4 bytes per parameter), none when `momentum == 0`.
public struct SGDM: StatefulOptimizer {
    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: Sendable, Equatable, Codable {
        /// Momentum coefficient, in [0, 1).
        public let momentum: Float
        /// Fraction of the gradient kept out of the buffer, in [0, 1].
        public let dampening: Float
        /// Nesterov momentum; needs `momentum > 0` and `dampening == 0`.
        public let nesterov: Bool
        /// Coupled L2 weight decay (added to the gradient); finite and >= 0.
        public let weightDecay: Float

        public init(momentum: Float = 0.9, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
            try Validate.coefficient("momentum", momentum)
            try Validate.fraction("dampening", dampening)
            try Validate.nonNegative("weightDecay", weightDecay)
            if nesterov && momentum == 0 {
                throw OptimizerError.invalidHyperparameter(
                    name: "momentum", value: momentum, allowed: "(0, 1) when nesterov is true")
            }
            if nesterov && dampening != 0 {
                throw OptimizerError.invalidHyperparameter(
                    name: "dampening", value: dampening, allowed: "0 when nesterov is true")
            }
            (self.momentum, self.dampening, self.nesterov, self.weightDecay) = (momentum, dampening, nesterov, weightDecay)
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// The momentum buffer `b` (empty until allocated, and always when `momentum == 0`).
        public internal(set) var momentumBuffer = FlatTensor()

        /// The buffers, in a fixed order (for checkpoints).
        var buffers: [FlatTensor] {
            get { [momentumBuffer] }
            set {
                momentumBuffer = newValue[0]
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

    /// Creates an SGD optimizer; `parameterCount` allocates the state now instead of at the first step.
    public init(learningRate: Float, momentum: Float = 0.9, dampening: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0, parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(momentum: momentum, dampening: dampening, nesterov: nesterov,
                                                   weightDecay: weightDecay),
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

extension SGDM: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(momentum: c.momentum, dampening: c.dampening, nesterov: c.nesterov, weightDecay: c.weightDecay)
    }

    private mutating func allocate(_ count: Int) {
        if configuration.momentum != 0 { state.momentumBuffer = FlatTensor(zeros: count) }
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let c = SGDMKernel.Coefficients(
            learningRate: learningRate, weightDecay: weightDecay, momentum: configuration.momentum,
            dampening: configuration.dampening, nesterov: configuration.nesterov, firstStep: state.step == 1)
        if configuration.momentum == 0 {
            let kernel = PlainSGDKernel(learningRate: learningRate, weightDecay: weightDecay, x: parameters, g: gradients)
            return forEachVectorInParallel(in: range, kernel, recordingWith: inverseLearningRate)
        } else {
            let kernel = SGDMKernel(c: c, x: parameters, g: gradients, buffer: state.momentumBuffer.mutableBase())
            return forEachVectorInParallel(in: range, kernel, recordingWith: inverseLearningRate)
        }
    }
}
