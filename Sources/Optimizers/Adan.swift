/// Adan, "Adaptive Nesterov Momentum Algorithm" (Xie et al. 2024), matching the official
/// implementation (sail-sg/Adan), which `pytorch_optimizer.Adan` follows.
///
/// For each element, at step `t = 1, 2, ...`, with `m`, `d`, `n` starting at zero:
/// ```
/// p  = g                          if t == 1   (so the first difference is zero)
/// dg = g - p
/// m  = b1 * m + (1 - b1) * g
/// d  = b2 * d + (1 - b2) * dg
/// u  = g + b2 * dg
/// n  = b3 * n + (1 - b3) * u * u
/// den = sqrt(n) / sqrt(1 - b3^t) + eps
/// if decoupled: x = x * (1 - lr * wd)
/// x  = x - (lr / (1 - b1^t)) * m / den - (lr * b2 / (1 - b2^t)) * d / den
/// if not decoupled: x = x / (1 + lr * wd)           (the paper's proximal weight decay)
/// p  = g
/// ```
/// Adan's Nesterov step is NAG in the paper's form III, which needs the previous gradient.
///
/// Defaults: `beta1` 0.98, `beta2` 0.92, `beta3` 0.99, `epsilon` 1e-8, `weightDecay` 0.02,
/// `decoupledWeightDecay` false. State: four buffers (16 bytes per parameter, twice Adam's).
public struct Adan: StatefulOptimizer {
    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: Sendable, Equatable, Codable {
        /// Gradient-momentum coefficient, in [0, 1).
        public let beta1: Float
        /// Gradient-difference-momentum coefficient, in [0, 1).
        public let beta2: Float
        /// Second-moment coefficient, in [0, 1).
        public let beta3: Float
        /// Added to the denominator; finite and > 0.
        public let epsilon: Float
        /// Weight decay, proximal unless `decoupledWeightDecay`; finite and >= 0.
        public let weightDecay: Float
        /// Multiply by `1 - lr * wd` before the step instead of dividing by `1 + lr * wd` after it.
        public let decoupledWeightDecay: Bool

        public init(beta1: Float = 0.98, beta2: Float = 0.92, beta3: Float = 0.99, epsilon: Float = 1e-8,
                    weightDecay: Float = 0.02, decoupledWeightDecay: Bool = false) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.coefficient("beta3", beta3)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.beta3, self.epsilon) = (beta1, beta2, beta3, epsilon)
            (self.weightDecay, self.decoupledWeightDecay) = (weightDecay, decoupledWeightDecay)
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// The gradient momentum `m` (empty until allocated).
        public internal(set) var momentum = FlatTensor()
        /// The gradient-difference momentum `d` (empty until allocated).
        public internal(set) var differenceMomentum = FlatTensor()
        /// The second moment `n` of `g + b2 * dg` (empty until allocated).
        public internal(set) var secondMoment = FlatTensor()
        /// The previous step's gradient `p` (empty until allocated).
        public internal(set) var previousGradient = FlatTensor()

        /// The buffers, in a fixed order (for checkpoints).
        var buffers: [FlatTensor] {
            get { [momentum, differenceMomentum, secondMoment, previousGradient] }
            set {
                momentum = newValue[0]
                differenceMomentum = newValue[1]
                secondMoment = newValue[2]
                previousGradient = newValue[3]
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

    /// Creates an Adan optimizer; `parameterCount` allocates the state now instead of at the first step.
    public init(learningRate: Float, beta1: Float = 0.98, beta2: Float = 0.92, beta3: Float = 0.99,
                epsilon: Float = 1e-8, weightDecay: Float = 0.02, decoupledWeightDecay: Bool = false,
                parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta1: beta1, beta2: beta2, beta3: beta3, epsilon: epsilon,
                                                   weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay),
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

extension Adan: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(beta1: c.beta1, beta2: c.beta2, beta3: c.beta3, epsilon: c.epsilon,
                          weightDecay: c.weightDecay, decoupledWeightDecay: c.decoupledWeightDecay)
    }

    private mutating func allocate(_ count: Int) {
        state.momentum = FlatTensor(zeros: count)
        state.differenceMomentum = FlatTensor(zeros: count)
        state.secondMoment = FlatTensor(zeros: count)
        state.previousGradient = FlatTensor(zeros: count)
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let config = configuration, t = state.step, lr = Double(learningRate)
        let decoupled = config.decoupledWeightDecay
        let c = AdanKernel.Coefficients(
            decay: decoupled ? 1 - learningRate * weightDecay : 1,
            proximal: decoupled ? 1 : Float(1 / (1 + lr * Double(weightDecay))),
            differenceScale: t == 1 ? 0 : 1,
            beta1: config.beta1, oneMinusBeta1: 1 - config.beta1,
            beta2: config.beta2, oneMinusBeta2: 1 - config.beta2,
            beta3: config.beta3, oneMinusBeta3: 1 - config.beta3,
            inverseCorrection3: Float(1 / Scalars.biasCorrection(config.beta3, step: t).squareRoot()),
            momentumStep: Float(lr / Scalars.biasCorrection(config.beta1, step: t)),
            differenceStep: Float(lr * Double(config.beta2) / Scalars.biasCorrection(config.beta2, step: t)),
            epsilon: config.epsilon)
        let kernel = AdanKernel(c: c, x: parameters, g: gradients, m: state.momentum.mutableBase(),
                                d: state.differenceMomentum.mutableBase(), n: state.secondMoment.mutableBase(),
                                previous: state.previousGradient.mutableBase())
        return forEachVectorInParallel(in: range, kernel, recordingWith: inverseLearningRate)
    }
}
