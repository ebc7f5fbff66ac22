import _OptimizersKernels

/// Adam with decoupled weight decay (Loshchilov & Hutter, "Decoupled Weight Decay
/// Regularization", ICLR 2019), matching `torch.optim.AdamW`, with or without AMSGrad.
///
/// For each element, at step `t = 1, 2, ...`, with `m`, `v` and `vmax` starting at zero:
/// ```
/// x = x * (1 - lr * wd)
/// m = b1 * m + (1 - b1) * g
/// v = b2 * v + (1 - b2) * g * g
/// vmax = max(vmax, v)                                  (AMSGrad only)
/// x = x - (lr / (1 - b1^t)) * m / (sqrt(u) / sqrt(1 - b2^t) + eps)     u = vmax with AMSGrad, else v
/// ```
/// With `weightDecay == 0` this is Adam (Kingma & Ba, 2015); AMSGrad is Reddi et al., "On the
/// Convergence of Adam and Beyond" (ICLR 2018). Theorem 1 of Peng et al. 2025 bounds
/// `|m / sqrt(v)|` (without bias correction, `eps -> 0`) by
/// `(1 - b1) / sqrt((1 - b2)(1 - b1^2 / b2))`, about 7.27 at the defaults: one coordinate can
/// move by 7 learning rates in a single step.
///
/// Defaults: `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-8, `weightDecay` 0.01, `amsgrad` false.
///
/// State: `m` and `v` (8 bytes per parameter), plus `vmax` with AMSGrad (12). With
/// `momentPrecision: .bfloat16`, `m` and `v` share one 32-bit slot (4 bytes per parameter,
/// 8 with AMSGrad, whose `vmax` stays float32), rounded stochastically (up or down, unbiased)
/// with the random bits drawn from a hash of each element's parameter, gradient and step, so
/// results do not depend on threads or sharding and resume exactly. Rounding to nearest would
/// not do: an 8-bit average ignores changes below `2^-9 / (1 - beta2)` of itself, 195% at
/// `beta2` 0.999.
public struct AdamW: StatefulOptimizer {
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
        /// Decoupled weight decay; finite and >= 0.
        public let weightDecay: Float
        /// Divide by the largest second moment so far instead of the current one (AMSGrad).
        public let amsgrad: Bool
        /// How `m` and `v` are stored (float32 unless asked).
        public let momentPrecision: MomentPrecision

        /// The defaults, those of ``AdamW/init(learningRate:beta1:beta2:epsilon:weightDecay:amsgrad:momentPrecision:parameterCount:)``.
        public static let defaults = try! AdamW(learningRate: 0).configuration

        /// Validated hyperparameters.
        ///
        /// - Parameters:
        ///   - beta1: First-moment coefficient, in [0, 1).
        ///   - beta2: Second-moment coefficient, in [0, 1).
        ///   - epsilon: Added to the denominator; finite and > 0.
        ///   - weightDecay: Decoupled weight decay; finite and >= 0.
        ///   - amsgrad: Divide by the largest second moment so far instead of the current one (AMSGrad).
        ///   - momentPrecision: How `m` and `v` are stored (float32 unless asked).
        /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the
        ///   first value outside its range.
        public init(
            beta1: Float = defaults.beta1, beta2: Float = defaults.beta2, epsilon: Float = defaults.epsilon,
            weightDecay: Float = defaults.weightDecay, amsgrad: Bool = defaults.amsgrad,
            momentPrecision: MomentPrecision = defaults.momentPrecision
        ) throws {
            try Validate.coefficient("beta1", beta1)
            try Validate.coefficient("beta2", beta2)
            try Validate.positive("epsilon", epsilon)
            try Validate.nonNegative("weightDecay", weightDecay)
            (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
            (self.amsgrad, self.momentPrecision) = (amsgrad, momentPrecision)
        }

        /// Decodes and validates; configurations saved before `amsgrad` and `momentPrecision`
        /// existed decode with their defaults.
        ///
        /// - Throws: `DecodingError`, or ``OptimizerError`` for a value outside its range.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(
                beta1: c(.beta1), beta2: c(.beta2), epsilon: c(.epsilon), weightDecay: c(.weightDecay),
                amsgrad: c(.amsgrad, default: false), momentPrecision: c(.momentPrecision, default: .float32))
        }
    }

    /// Everything that changes from step to step.
    public struct State: ElementwiseState {
        /// Steps taken so far.
        public internal(set) var step = 0
        /// `m` (float32 moments) or each element's `m` and `v` packed into one slot (bfloat16).
        var storedFirst = FlatTensor()
        /// `v` (float32 moments; empty with bfloat16).
        var storedSecond = FlatTensor()
        /// AMSGrad's `vmax` (empty without AMSGrad).
        public internal(set) var maximumSecondMoment = FlatTensor()

        /// The state before the first step: step 0, every buffer empty.
        public init() {}

        typealias Configuration = AdamW.Configuration

        private enum CodingKeys: String, CodingKey {
            case step
            case storedFirst = "firstMoment"
            case storedSecond = "secondMoment"
            case maximumSecondMoment
        }

        /// Decodes a state; one saved before AMSGrad existed has no `maximumSecondMoment`.
        ///
        /// - Parameter decoder: The decoder to read from.
        /// - Throws: `DecodingError`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            (step, storedFirst, storedSecond) = try (c(.step), c(.storedFirst), c(.storedSecond))
            maximumSecondMoment = try c(.maximumSecondMoment, default: FlatTensor())
        }

        /// The first moment `m`, one element per parameter (empty before the first step).
        public var firstMoment: FlatTensor { packedMoments.map(BFloat16Moments.first) ?? storedFirst }
        /// The second moment `v`, one element per parameter (empty before the first step).
        public var secondMoment: FlatTensor { packedMoments.map(BFloat16Moments.second) ?? storedSecond }
        /// With bfloat16 moments, the packed slots (`m` in the high half, `v` in the low half;
        /// see ``MomentPrecision``); nil with float32 moments.
        public var packedMoments: FlatTensor? {
            storedSecond.isEmpty && !storedFirst.isEmpty ? storedFirst : nil
        }

        static var buffers: [(name: String, path: WritableKeyPath<State, FlatTensor>)] {
            [
                ("firstMoment", \.storedFirst), ("secondMoment", \.storedSecond),
                ("maximumSecondMoment", \.maximumSecondMoment),
            ]
        }

        static func usesBuffer(_ index: Int, configuration: Configuration) -> Bool {
            index == 0 || (index == 1 && configuration.momentPrecision == .float32)
                || (index == 2 && configuration.amsgrad)
        }

        func validateContents(configuration: Configuration) throws {
            if let packed = packedMoments {
                try BFloat16Moments.validate(packed, buffer: "firstMoment") { _, v in
                    v >= 0 ? nil : "the second moment v >= 0"
                }
            } else {
                try Checks.all(storedSecond, buffer: "secondMoment", ">= 0") { $0 >= 0 }
            }
            try Checks.all(maximumSecondMoment, buffer: "maximumSecondMoment", ">= 0") { $0 >= 0 }
        }
    }

    /// Creates an AdamW optimizer.
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps.
    ///   - beta1: First-moment coefficient, in [0, 1).
    ///   - beta2: Second-moment coefficient, in [0, 1).
    ///   - epsilon: Added to the denominator; finite and > 0.
    ///   - weightDecay: Decoupled weight decay; finite and >= 0.
    ///   - amsgrad: Divide by the largest second moment so far (`torch.optim.AdamW(amsgrad=True)`).
    ///   - momentPrecision: How `m` and `v` are stored between steps.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(
        learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0.01, amsgrad: Bool = false, momentPrecision: MomentPrecision = .float32,
        parameterCount: Int? = nil
    ) throws {
        let configuration = try Configuration(
            beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
            amsgrad: amsgrad, momentPrecision: momentPrecision)
        try self.init(learningRate: learningRate, configuration: configuration, parameterCount: parameterCount)
    }
}

extension AdamW: ElementwiseOptimizer {
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics? {
        let c = configuration, t = stepCount, bfloat16 = c.momentPrecision == .bfloat16
        let m = core.state.storedFirst.mutableBase()
        let v = bfloat16 ? m : core.state.storedSecond.mutableBase()  // bfloat16: v shares m's slots
        let maximum = c.amsgrad ? core.state.maximumSecondMoment.mutableBase() : m
        let arguments = AdamWArguments(
            decay: 1 - pass.learningRate * pass.weightDecay, beta1: c.beta1, beta2: c.beta2,
            stepSize: Float(Double(pass.learningRate) / Scalars.biasCorrection(c.beta1, step: t)),
            inverseCorrection2: Float(1 / Scalars.biasCorrection(c.beta2, step: t).squareRoot()), epsilon: c.epsilon,
            salt: UInt32(truncatingIfNeeded: t) &* 0x9e37_79b9, x: pass.x, g: pass.g, m: m, v: v, maximum: maximum)
        return pass.run(pass.kernels.adamW(bfloat16: bfloat16, amsgrad: c.amsgrad), arguments)
    }
}
