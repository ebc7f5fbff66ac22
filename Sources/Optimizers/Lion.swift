import _OptimizersKernels

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
    var core: OptimizerCore<Configuration, State>
    init(core: OptimizerCore<Configuration, State>) { self.core = core }

    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: OptimizerConfiguration {
        /// Interpolation coefficient of the update direction, in [0, 1).
        public let beta1: Float
        /// Momentum coefficient, in [0, 1).
        public let beta2: Float
        /// Decoupled weight decay; finite and >= 0.
        public let weightDecay: Float

        /// The defaults, those of ``Lion/init(learningRate:beta1:beta2:weightDecay:parameterCount:)``.
        public static let defaults = try! Lion(learningRate: 0).configuration

        /// Validated hyperparameters.
        ///
        /// - Parameters:
        ///   - beta1: Interpolation coefficient of the update direction, in [0, 1).
        ///   - beta2: Momentum coefficient, in [0, 1).
        ///   - weightDecay: Decoupled weight decay; finite and >= 0.
        /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
        public init(
            beta1: Float = defaults.beta1, beta2: Float = defaults.beta2, weightDecay: Float = defaults.weightDecay
        )
            throws
        {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.weightDecay) = (beta1, beta2, weightDecay)
        }

        /// Decodes and validates.
        ///
        /// - Throws: `DecodingError`, or ``OptimizerError`` for a value outside its range.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(beta1: c(.beta1), beta2: c(.beta2), weightDecay: c(.weightDecay))
        }
    }

    /// Everything that changes from step to step.
    public struct State: ElementwiseState {
        /// Steps taken so far.
        public internal(set) var step = 0
        /// The momentum `m` (empty before the first step).
        public internal(set) var momentum = FlatTensor()

        /// The state before the first step: step 0, every buffer empty.
        public init() {}

        typealias Configuration = Lion.Configuration

        static var buffers: [(name: String, path: WritableKeyPath<State, FlatTensor>)] { [("momentum", \.momentum)] }
    }

    /// Creates a Lion optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; every coordinate moves by exactly this much (or 0).
    ///   - beta1: Interpolation coefficient of the update direction, in [0, 1).
    ///   - beta2: Momentum coefficient, in [0, 1).
    ///   - weightDecay: Decoupled weight decay; finite and >= 0.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.99, weightDecay: Float = 0,
        parameterCount: Int? = nil
    ) throws {
        let configuration = try Configuration(beta1: beta1, beta2: beta2, weightDecay: weightDecay)
        try self.init(learningRate: learningRate, configuration: configuration, parameterCount: parameterCount)
    }
}

extension Lion: ElementwiseOptimizer {
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics? {
        let c = configuration
        let arguments = LionArguments(
            decay: 1 - pass.learningRate * pass.weightDecay, learningRate: pass.learningRate, beta1: c.beta1,
            beta2: c.beta2, x: pass.x, g: pass.g, m: core.state.momentum.mutableBase())
        return pass.run(pass.kernels.lion, arguments)
    }
}
