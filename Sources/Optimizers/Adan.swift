import _OptimizersKernels

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
    var core: OptimizerCore<Configuration, State>
    init(core: OptimizerCore<Configuration, State>) { self.core = core }

    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: OptimizerConfiguration {
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

        /// The defaults, those of ``Adan/init(learningRate:beta1:beta2:beta3:epsilon:weightDecay:decoupledWeightDecay:parameterCount:)``.
        public static let defaults = try! Adan(learningRate: 0).configuration

        /// Validated hyperparameters.
        ///
        /// - Parameters:
        ///   - beta1: Gradient-momentum coefficient, in [0, 1).
        ///   - beta2: Gradient-difference-momentum coefficient, in [0, 1).
        ///   - beta3: Second-moment coefficient, in [0, 1).
        ///   - epsilon: Added to the denominator; finite and > 0.
        ///   - weightDecay: Weight decay, proximal unless `decoupledWeightDecay`; finite and >= 0.
        ///   - decoupledWeightDecay: Multiply by `1 - lr * wd` before the step instead of dividing
        ///     by `1 + lr * wd` after it.
        /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
        public init(
            beta1: Float = defaults.beta1, beta2: Float = defaults.beta2, beta3: Float = defaults.beta3,
            epsilon: Float = defaults.epsilon, weightDecay: Float = defaults.weightDecay,
            decoupledWeightDecay: Bool = defaults.decoupledWeightDecay
        ) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.coefficient("beta3", beta3)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.beta3, self.epsilon) = (beta1, beta2, beta3, epsilon)
            (self.weightDecay, self.decoupledWeightDecay) = (weightDecay, decoupledWeightDecay)
        }

        /// Decodes and validates.
        ///
        /// - Throws: `DecodingError`, or ``OptimizerError`` for a value outside its range.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                beta1: c(.beta1), beta2: c(.beta2), beta3: c(.beta3), epsilon: c(.epsilon),
                weightDecay: c(.weightDecay), decoupledWeightDecay: c(.decoupledWeightDecay))
        }
    }

    /// Everything that changes from step to step.
    public struct State: ElementwiseState {
        /// Steps taken so far.
        public internal(set) var step = 0
        /// The gradient momentum `m` (empty before the first step).
        public internal(set) var momentum = FlatTensor()
        /// The gradient-difference momentum `d` (empty before the first step).
        public internal(set) var differenceMomentum = FlatTensor()
        /// The second moment `n` of `g + b2 * dg` (empty before the first step).
        public internal(set) var secondMoment = FlatTensor()
        /// The previous step's gradient `p` (empty before the first step).
        public internal(set) var previousGradient = FlatTensor()

        /// The state before the first step: step 0, every buffer empty.
        public init() {}

        typealias Configuration = Adan.Configuration

        static var buffers: [(name: String, path: WritableKeyPath<State, FlatTensor>)] {
            [
                ("momentum", \.momentum), ("differenceMomentum", \.differenceMomentum),
                ("secondMoment", \.secondMoment),
                ("previousGradient", \.previousGradient),
            ]
        }

        func validateContents(configuration: Configuration) throws {
            try Checks.all(secondMoment, buffer: "secondMoment", ">= 0") { $0 >= 0 }
        }
    }

    /// Creates an Adan optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps.
    ///   - beta1: Gradient-momentum coefficient, in [0, 1).
    ///   - beta2: Gradient-difference-momentum coefficient, in [0, 1).
    ///   - beta3: Second-moment coefficient, in [0, 1).
    ///   - epsilon: Added to the denominator; finite and > 0.
    ///   - weightDecay: Finite and >= 0; proximal unless `decoupledWeightDecay`.
    ///   - decoupledWeightDecay: Multiply by `1 - lr * wd` before the step instead.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, beta1: Float = 0.98, beta2: Float = 0.92, beta3: Float = 0.99,
        epsilon: Float = 1e-8, weightDecay: Float = 0.02, decoupledWeightDecay: Bool = false,
        parameterCount: Int? = nil
    ) throws {
        let configuration = try Configuration(
            beta1: beta1, beta2: beta2, beta3: beta3, epsilon: epsilon,
            weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay)
        try self.init(learningRate: learningRate, configuration: configuration, parameterCount: parameterCount)
    }
}

extension Adan: ElementwiseOptimizer {
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics? {
        let c = configuration, t = stepCount, lr = Double(pass.learningRate), decoupled = c.decoupledWeightDecay
        let arguments = AdanArguments(
            decay: decoupled ? 1 - pass.learningRate * pass.weightDecay : 1,
            proximal: decoupled ? 1 : Float(1 / (1 + lr * Double(pass.weightDecay))), differenceScale: t == 1 ? 0 : 1,
            beta1: c.beta1, beta2: c.beta2, beta3: c.beta3,
            inverseCorrection3: Float(1 / Scalars.biasCorrection(c.beta3, step: t).squareRoot()),
            momentumStep: Float(lr / Scalars.biasCorrection(c.beta1, step: t)),
            differenceStep: Float(lr * Double(c.beta2) / Scalars.biasCorrection(c.beta2, step: t)), epsilon: c.epsilon,
            x: pass.x, g: pass.g, m: core.state.momentum.mutableBase(), d: core.state.differenceMomentum.mutableBase(),
            n: core.state.secondMoment.mutableBase(), previous: core.state.previousGradient.mutableBase())
        return pass.run(pass.kernels.adan, arguments)
    }
}
