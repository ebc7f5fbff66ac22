/// Adam with Nesterov momentum (Dozat, "Incorporating Nesterov Momentum into Adam", 2016),
/// matching `torch.optim.NAdam(momentum_decay, decoupled_weight_decay)`.
///
/// For each element, at step `t = 1, 2, ...`, with `m` and `v` starting at zero:
/// ```
/// if decoupled: x = x * (1 - lr * wd)    else: g = g + wd * x
/// mu_t  = b1 * (1 - 0.5 * 0.96^(t * psi))            psi = momentumDecay
/// mu_t1 = b1 * (1 - 0.5 * 0.96^((t + 1) * psi))
/// P_t   = mu_1 * mu_2 * ... * mu_t                    (kept in the state; P_0 = 1)
/// m = b1 * m + (1 - b1) * g
/// v = b2 * v + (1 - b2) * g * g
/// den = sqrt(v / (1 - b2^t)) + eps
/// x = x - lr * (1 - mu_t) / (1 - P_t) * g / den - lr * mu_t1 / (1 - P_t * mu_t1) * m / den
/// ```
/// The schedule scalars are computed in double precision once per step.
///
/// Defaults: `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-8, `weightDecay` 0, `momentumDecay` 4e-3,
/// `decoupledWeightDecay` false. State: two moment buffers (8 bytes per parameter) and `P_t`.
public struct NAdam: StatefulOptimizer {
    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: Sendable, Equatable, Codable {
        /// First-moment coefficient, in [0, 1).
        public let beta1: Float
        /// Second-moment coefficient, in [0, 1).
        public let beta2: Float
        /// Added to the denominator; finite and > 0.
        public let epsilon: Float
        /// Weight decay, coupled (added to the gradient) unless `decoupledWeightDecay`; finite and >= 0.
        public let weightDecay: Float
        /// `psi` of the momentum schedule; finite and >= 0.
        public let momentumDecay: Float
        /// Decay the parameters directly (AdamW style) instead of adding `wd * x` to the gradient.
        public let decoupledWeightDecay: Bool

        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                    momentumDecay: Float = 4e-3, decoupledWeightDecay: Bool = false) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            try Validate.nonNegative("momentumDecay", momentumDecay)
            (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
            (self.weightDecay, self.momentumDecay, self.decoupledWeightDecay) = (weightDecay, momentumDecay, decoupledWeightDecay)
        }

        /// `mu_t = b1 * (1 - 0.5 * 0.96^(t * psi))`.
        func mu(_ t: Int) -> Double {
            Double(beta1) * (1 - 0.5 * Scalars.power(0.96, Double(t) * Double(momentumDecay)))
        }
    }

    /// Everything that changes from step to step.
    public struct State: Sendable, Equatable, Codable, OptimizerState {
        /// Steps taken so far.
        public internal(set) var step: Int = 0
        /// `P_t`, the product of the momentum schedule so far (1 before the first step).
        public internal(set) var muProduct: Double = 1
        /// The first moment `m` (empty until allocated).
        public internal(set) var firstMoment = FlatTensor()
        /// The second moment `v` (empty until allocated).
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

    /// Creates a NAdam optimizer; `parameterCount` allocates the state now instead of at the first step.
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, momentumDecay: Float = 4e-3, decoupledWeightDecay: Bool = false,
                parameterCount: Int? = nil) throws {
        try self.init(learningRate: learningRate,
                      configuration: Configuration(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                                                   momentumDecay: momentumDecay, decoupledWeightDecay: decoupledWeightDecay),
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

extension NAdam: ElementwiseOptimizer {
    var configuredWeightDecay: Float { configuration.weightDecay }

    static func validated(_ c: Configuration) throws -> Configuration {
        try Configuration(beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay,
                          momentumDecay: c.momentumDecay, decoupledWeightDecay: c.decoupledWeightDecay)
    }

    private mutating func allocate(_ count: Int) {
        state.firstMoment = FlatTensor(zeros: count)
        state.secondMoment = FlatTensor(zeros: count)
        stateCount = count
    }

    mutating func beginStep(count: Int) {
        if stateCount == nil { allocate(count) }
        state.step += 1
        state.muProduct *= configuration.mu(state.step)
    }

    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        let config = configuration, t = state.step, lr = Double(learningRate)
        let mu = config.mu(t), muNext = config.mu(t + 1), product = state.muProduct
        let c = NAdamKernel.Coefficients(
            decay: config.decoupledWeightDecay ? 1 - learningRate * weightDecay : 1,
            coupledDecay: config.decoupledWeightDecay ? 0 : weightDecay,
            beta1: config.beta1, oneMinusBeta1: 1 - config.beta1,
            beta2: config.beta2, oneMinusBeta2: 1 - config.beta2,
            inverseCorrection2: Float(1 / Scalars.biasCorrection(config.beta2, step: t).squareRoot()),
            gradientStep: Float(lr * (1 - mu) / (1 - product)),
            momentumStep: Float(lr * muNext / (1 - product * muNext)),
            epsilon: config.epsilon)
        let kernel = NAdamKernel(c: c, x: parameters, g: gradients,
                                 m: state.firstMoment.mutableBase(), v: state.secondMoment.mutableBase())
        return forEachVectorInParallel(in: range, kernel, recordingWith: inverseLearningRate)
    }
}
