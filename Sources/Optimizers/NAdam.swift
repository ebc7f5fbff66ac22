import _OptimizersKernels

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
    var core: OptimizerCore<Configuration, State>
    init(core: OptimizerCore<Configuration, State>) { self.core = core }

    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: OptimizerConfiguration {
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

        /// The defaults, those of ``NAdam/init(learningRate:beta1:beta2:epsilon:weightDecay:momentumDecay:decoupledWeightDecay:parameterCount:)``.
        public static let defaults = try! NAdam(learningRate: 0).configuration

        /// Validated hyperparameters.
        ///
        /// - Parameters:
        ///   - beta1: First-moment coefficient, in [0, 1).
        ///   - beta2: Second-moment coefficient, in [0, 1).
        ///   - epsilon: Added to the denominator; finite and > 0.
        ///   - weightDecay: Weight decay, coupled (added to the gradient) unless
        ///     `decoupledWeightDecay`; finite and >= 0.
        ///   - momentumDecay: `psi` of the momentum schedule; finite and >= 0.
        ///   - decoupledWeightDecay: Decay the parameters directly (AdamW style) instead of adding
        ///     `wd * x` to the gradient.
        /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
        public init(
            beta1: Float = defaults.beta1, beta2: Float = defaults.beta2, epsilon: Float = defaults.epsilon,
            weightDecay: Float = defaults.weightDecay, momentumDecay: Float = defaults.momentumDecay,
            decoupledWeightDecay: Bool = defaults.decoupledWeightDecay
        ) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            try Validate.nonNegative("momentumDecay", momentumDecay)
            (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
            (self.weightDecay, self.momentumDecay, self.decoupledWeightDecay) = (
                weightDecay, momentumDecay, decoupledWeightDecay
            )
        }

        /// Decodes and validates.
        ///
        /// - Throws: `DecodingError`, or ``OptimizerError`` for a value outside its range.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                beta1: c(.beta1), beta2: c(.beta2), epsilon: c(.epsilon), weightDecay: c(.weightDecay),
                momentumDecay: c(.momentumDecay), decoupledWeightDecay: c(.decoupledWeightDecay))
        }

        /// `mu_t = b1 * (1 - 0.5 * 0.96^(t * psi))` (`t` in double precision, so that `t + 1`
        /// cannot overflow).
        func mu(_ t: Double) -> Double {
            Double(beta1) * (1 - 0.5 * Scalars.power(0.96, t * Double(momentumDecay)))
        }
    }

    /// Everything that changes from step to step.
    public struct State: ElementwiseState {
        /// Steps taken so far.
        public internal(set) var step = 0
        /// `P_t`, the product of the momentum schedule so far (1 before the first step).
        public internal(set) var muProduct: Double = 1
        /// The first moment `m` (empty before the first step).
        public internal(set) var firstMoment = FlatTensor()
        /// The second moment `v` (empty before the first step).
        public internal(set) var secondMoment = FlatTensor()

        /// The state before the first step: step 0, every buffer empty.
        public init() {}

        typealias Configuration = NAdam.Configuration

        static var buffers: [(name: String, path: WritableKeyPath<State, FlatTensor>)] {
            [
                ("firstMoment", \.firstMoment), ("secondMoment", \.secondMoment),
            ]
        }

        mutating func advance(configuration: Configuration) {
            step += 1
            muProduct *= configuration.mu(Double(step))
        }

        /// `P_t` in [0, 1] (a product of factors in [0, 1)), and `v >= 0`.
        func validateContents(configuration: Configuration) throws {
            guard muProduct.isFinite, (0...1).contains(muProduct), step > 0 || muProduct == 1 else {
                throw CheckpointError.invalidContents(
                    "muProduct \(muProduct) at step \(step): allowed [0, 1], and 1 before the first step")
            }
            try Checks.all(secondMoment, buffer: "secondMoment", ">= 0") { $0 >= 0 }
        }
    }

    /// Creates a NAdam optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps.
    ///   - beta1: First-moment coefficient, in [0, 1).
    ///   - beta2: Second-moment coefficient, in [0, 1).
    ///   - epsilon: Added to the denominator; finite and > 0.
    ///   - weightDecay: Finite and >= 0; coupled unless `decoupledWeightDecay`.
    ///   - momentumDecay: `psi` of the momentum schedule; finite and >= 0.
    ///   - decoupledWeightDecay: Decay the parameters directly instead of through the gradient.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, momentumDecay: Float = 4e-3, decoupledWeightDecay: Bool = false,
        parameterCount: Int? = nil
    ) throws {
        let configuration = try Configuration(
            beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
            momentumDecay: momentumDecay, decoupledWeightDecay: decoupledWeightDecay)
        try self.init(learningRate: learningRate, configuration: configuration, parameterCount: parameterCount)
    }
}

extension NAdam: ElementwiseOptimizer {
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics? {
        let c = configuration, t = stepCount, lr = Double(pass.learningRate), product = state.muProduct
        let mu = c.mu(Double(t)), muNext = c.mu(Double(t) + 1)
        let arguments = NAdamArguments(
            decay: c.decoupledWeightDecay ? 1 - pass.learningRate * pass.weightDecay : 1,
            coupledDecay: c.decoupledWeightDecay ? 0 : pass.weightDecay, beta1: c.beta1, beta2: c.beta2,
            inverseCorrection2: Float(1 / Scalars.biasCorrection(c.beta2, step: t).squareRoot()),
            gradientStep: Float(lr * (1 - mu) / (1 - product)),
            momentumStep: Float(lr * muNext / (1 - product * muNext)),
            epsilon: c.epsilon, x: pass.x, g: pass.g, m: core.state.firstMoment.mutableBase(),
            v: core.state.secondMoment.mutableBase())
        return pass.run(pass.kernels.nAdam, arguments)
    }
}
