/// A first-order optimizer: updates parameters in place from their gradients.
///
/// Conforming types keep whatever state they need (momenta, step count) and apply one update
/// per call to ``step(parameters:gradients:)``. The update of every optimizer in this module is
/// element-wise, so `parameters` and `gradients` are flat buffers of the same length.
///
/// ```swift
/// var optimizer = try S3(learningRate: 3e-3)
/// try optimizer.step(parameters: &weights, gradients: gradients)
/// ```
///
/// The optimizers in this module share these rules:
/// - Hyperparameters are validated by the initialiser, which throws ``OptimizerError``.
/// - ``learningRate`` may change between steps (schedules); an invalid value makes the next
///   `step` throw before anything is changed.
/// - State is allocated on the first step for that step's element count (or at initialisation
///   when `parameterCount` is given); a later step with a different count throws.
/// - Non-finite gradients are rejected before anything is changed (see ``GradientCheck``).
/// - A step on empty buffers does nothing.
public protocol Optimizer {
    /// The learning rate of the next step.
    var learningRate: Float { get set }

    /// Applies one update to `parameters` using `gradients` (same count). Throws
    /// ``OptimizerError`` and leaves `parameters` and the optimizer unchanged on invalid input.
    mutating func step(parameters: inout FlatTensor, gradients: FlatTensor) throws
}

/// What an optimizer does about NaN and infinite gradients.
public enum GradientCheck: String, Sendable, Codable, CaseIterable {
    /// Scan the gradients before touching anything and throw
    /// ``OptimizerError/nonFiniteGradient(index:value:)`` naming the first bad element;
    /// parameters and state stay exactly as they were. The default.
    case rejectNonFinite
    /// Trust the caller (who has already checked, for instance through a finite gradient norm).
    /// A NaN or infinity then flows into the parameters and the optimizer state and stays there.
    case assumeFinite
}

/// Why an optimizer refused to be built or to take a step. Nothing was changed when it is thrown.
public enum OptimizerError: Error, Equatable, Sendable {
    /// A hyperparameter (or a new learning rate) lies outside its valid range.
    case invalidHyperparameter(name: String, value: Float, allowed: String)
    /// `parameters` and `gradients` have different element counts.
    case countMismatch(parameters: Int, gradients: Int)
    /// The buffers' element count differs from the one the optimizer state was built for.
    case stateCountMismatch(state: Int, parameters: Int)
    /// A gradient element is NaN or infinite.
    case nonFiniteGradient(index: Int, value: Float)
    /// A parameter group is out of bounds, overlaps another, or has an invalid value.
    case invalidParameterGroup(name: String, reason: String)
    /// A shard range lies outside the parameter buffer.
    case invalidShard(shard: Range<Int>, parameters: Int)
}

extension OptimizerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidHyperparameter(name, value, allowed):
            return "invalid \(name) = \(value): allowed \(allowed)"
        case let .countMismatch(parameters, gradients):
            return "parameters have \(parameters) elements but gradients have \(gradients)"
        case let .stateCountMismatch(state, parameters):
            return "optimizer state was built for \(state) elements but the buffers have \(parameters)"
        case let .nonFiniteGradient(index, value):
            return "gradient[\(index)] = \(value) is not finite; nothing was updated"
        case let .invalidParameterGroup(name, reason):
            return "invalid parameter group \"\(name)\": \(reason)"
        case let .invalidShard(shard, parameters):
            return "shard \(shard) is outside the \(parameters) parameters"
        }
    }
}

/// The common shape of this module's optimizers: validated configuration, typed state and the
/// gradient check, all inspectable (and, state and configuration, `Codable`).
public protocol StatefulOptimizer: Optimizer, Equatable, Sendable {
    /// The validated hyperparameters other than the learning rate; immutable after `init`.
    associatedtype Configuration: Codable, Equatable, Sendable
    /// Everything that changes from step to step: the step count and the state buffers.
    associatedtype State: Codable, Equatable, Sendable

    var configuration: Configuration { get }
    var state: State { get }
    /// The element count the state was built for, or nil before the first step.
    var stateCount: Int? { get }
    /// What `step` does about NaN and infinite gradients.
    var gradientCheck: GradientCheck { get set }

    /// Whether each step records ``telemetry`` (off by default; when on, the parameters are
    /// re-read from L1 right after the kernel writes them, a few percent of the step).
    var recordsTelemetry: Bool { get set }
    /// The update statistics of the last step, when ``recordsTelemetry`` was on.
    var telemetry: UpdateTelemetry? { get }

    /// One step with per-group learning-rate multipliers and weight decays; elements outside
    /// every group use the optimizer's own. `groups.parameterCount` must equal the count.
    mutating func step(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups) throws

    /// One step of the shard `shard` of a larger buffer (ZeRO stage 1): updates
    /// `parameters[shard]` from `gradients`, which holds only the shard's gradients (as after a
    /// reduce-scatter). The optimizer's state covers the shard alone; `groups`, if any, are
    /// defined on the whole buffer. Stepping every shard equals stepping the whole buffer, bit
    /// for bit.
    mutating func step(shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor,
                       groups: ParameterGroups?) throws

    /// Restores an optimizer from a ``Checkpoint``, validating it as `init` validates its
    /// arguments; throws ``CheckpointError`` or ``OptimizerError``.
    init(restoring checkpoint: Checkpoint<Self>) throws
}

extension StatefulOptimizer {
    /// One step of the shard `shard` of a larger buffer, without parameter groups.
    public mutating func step(shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor) throws {
        try step(shard: shard, of: &parameters, gradients: gradients, groups: nil)
    }
}
