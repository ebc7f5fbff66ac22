import _OptimizersKernels

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
    var core: OptimizerCore<Configuration, State>
    init(core: OptimizerCore<Configuration, State>) { self.core = core }

    /// Validated hyperparameters (everything but the learning rate).
    public struct Configuration: OptimizerConfiguration {
        /// Momentum coefficient, in [0, 1).
        public let momentum: Float
        /// Fraction of the gradient kept out of the buffer, in [0, 1].
        public let dampening: Float
        /// Nesterov momentum; needs `momentum > 0` and `dampening == 0`.
        public let nesterov: Bool
        /// Coupled L2 weight decay (added to the gradient); finite and >= 0.
        public let weightDecay: Float

        /// The defaults, those of ``SGDM/init(learningRate:momentum:dampening:nesterov:weightDecay:parameterCount:)``.
        public static let defaults = try! SGDM(learningRate: 0).configuration

        /// Validated hyperparameters.
        ///
        /// - Parameters:
        ///   - momentum: Momentum coefficient, in [0, 1).
        ///   - dampening: Fraction of the gradient kept out of the buffer, in [0, 1].
        ///   - nesterov: Nesterov momentum; needs `momentum > 0` and `dampening == 0`.
        ///   - weightDecay: Coupled L2 weight decay (added to the gradient); finite and >= 0.
        /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
        public init(
            momentum: Float = defaults.momentum, dampening: Float = defaults.dampening,
            nesterov: Bool = defaults.nesterov, weightDecay: Float = defaults.weightDecay
        ) throws {
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
            (self.momentum, self.dampening, self.nesterov, self.weightDecay) = (
                momentum, dampening, nesterov, weightDecay
            )
        }

        /// Decodes and validates.
        ///
        /// - Throws: `DecodingError`, or ``OptimizerError`` for a value outside its range.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                momentum: c(.momentum), dampening: c(.dampening), nesterov: c(.nesterov), weightDecay: c(.weightDecay))
        }
    }

    /// Everything that changes from step to step.
    public struct State: ElementwiseState {
        /// Steps taken so far.
        public internal(set) var step = 0
        /// The momentum buffer `b` (empty before the first step, and always when `momentum == 0`).
        public internal(set) var momentumBuffer = FlatTensor()

        /// The state before the first step: step 0, every buffer empty.
        public init() {}

        typealias Configuration = SGDM.Configuration

        static var buffers: [(name: String, path: WritableKeyPath<State, FlatTensor>)] {
            [("momentumBuffer", \.momentumBuffer)]
        }

        static func usesBuffer(_ index: Int, configuration: Configuration) -> Bool { configuration.momentum != 0 }
    }

    /// Creates an SGD optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps.
    ///   - momentum: Momentum coefficient, in [0, 1); 0 is plain SGD.
    ///   - dampening: Fraction of the gradient kept out of the buffer, in [0, 1].
    ///   - nesterov: Nesterov momentum (needs `momentum > 0` and `dampening == 0`).
    ///   - weightDecay: Coupled L2 weight decay; finite and >= 0.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, momentum: Float = 0.9, dampening: Float = 0, nesterov: Bool = false,
        weightDecay: Float = 0, parameterCount: Int? = nil
    ) throws {
        let configuration = try Configuration(
            momentum: momentum, dampening: dampening, nesterov: nesterov,
            weightDecay: weightDecay)
        try self.init(learningRate: learningRate, configuration: configuration, parameterCount: parameterCount)
    }
}

extension SGDM: ElementwiseOptimizer {
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics? {
        let c = configuration, first = stepCount == 1, plain = c.momentum == 0
        let arguments = SGDMArguments(
            learningRate: pass.learningRate, weightDecay: pass.weightDecay, bufferScale: first ? 0 : c.momentum,
            gradientScale: first ? 1 : 1 - c.dampening, lookahead: c.nesterov ? c.momentum : 1,
            gradientInDirection: c.nesterov ? 1 : 0, x: pass.x, g: pass.g,
            buffer: plain ? pass.x : core.state.momentumBuffer.mutableBase())
        return pass.run(plain ? pass.kernels.plainSGD : pass.kernels.sgdm, arguments)
    }
}
