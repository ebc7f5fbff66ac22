/// The common shape of this module's optimizers: validated configuration, typed state, the
/// gradient check, telemetry, parameter groups, sharded steps and checkpoints, all reachable
/// through `any StatefulOptimizer`, so a training loop can choose its optimizer at run time.
public protocol StatefulOptimizer: Optimizer, Equatable, Sendable {
    /// The validated hyperparameters other than the learning rate; immutable after `init`.
    associatedtype Configuration: Codable, Equatable, Sendable
    /// Everything that changes from step to step: the step count and the state buffers.
    associatedtype State: Codable, Equatable, Sendable

    /// The hyperparameters other than the learning rate.
    var configuration: Configuration { get }
    /// The step count and the state buffers.
    var state: State { get }
    /// The element count the state was built for, or nil before the first step.
    var stateCount: Int? { get }
    /// Steps taken so far (0 before the first), for schedules.
    var stepCount: Int { get }
    /// What `step` does about NaN and infinite gradients.
    var gradientCheck: GradientCheck { get set }

    /// Whether each step records ``telemetry`` (off by default; when on, the parameters are
    /// re-read from L1 right after the kernel writes them, a few percent of the step).
    var recordsTelemetry: Bool { get set }
    /// The update statistics of the last step, when ``recordsTelemetry`` was on.
    var telemetry: UpdateTelemetry? { get }

    /// One step with per-group learning-rate multipliers, weight decays and freezing; elements
    /// outside every group use the optimizer's own.
    ///
    /// - Parameters:
    ///   - parameters: The values to update, in place.
    ///   - gradients: One gradient per parameter.
    ///   - groups: Groups built for `parameters.count` elements.
    /// - Throws: ``OptimizerError``, with `parameters` and the optimizer unchanged.
    mutating func step(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups) throws

    /// The grouped step on memory the caller owns (see ``Optimizer/step(parameters:gradients:)-(UnsafeMutableBufferPointer<Float>,_)``).
    ///
    /// - Throws: ``OptimizerError``, with the parameters and the optimizer unchanged.
    mutating func step(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, groups: ParameterGroups
    ) throws

    /// One step of the shard `shard` of a larger buffer (ZeRO stage 1): updates
    /// `parameters[shard]` from `gradients`, which holds only the shard's gradients (as after a
    /// reduce-scatter). The optimizer's state covers the shard alone; `groups`, if any, are
    /// defined on the whole buffer. Stepping every shard equals stepping the whole buffer, bit
    /// for bit.
    ///
    /// - Throws: ``OptimizerError``, with `parameters` and the optimizer unchanged.
    mutating func step(
        shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups?
    ) throws

    /// The sharded step on memory the caller owns.
    ///
    /// - Throws: ``OptimizerError``, with the parameters and the optimizer unchanged.
    mutating func step(
        shard: Range<Int>, of parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
        groups: ParameterGroups?
    ) throws

    /// Restores an optimizer from a ``Checkpoint``, validating it as `init` validates its
    /// arguments, and the state's contents too.
    ///
    /// - Throws: ``CheckpointError`` or ``OptimizerError``.
    init(restoring checkpoint: Checkpoint<Self>) throws
}

extension StatefulOptimizer {
    /// One step of the shard `shard` of a larger buffer, without parameter groups.
    ///
    /// - Parameters:
    ///   - shard: The range of `parameters` this optimizer owns.
    ///   - parameters: The whole buffer; only `parameters[shard]` changes.
    ///   - gradients: The shard's gradients, `shard.count` of them.
    /// - Throws: ``OptimizerError``, with `parameters` and the optimizer unchanged.
    public mutating func step(shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor) throws {
        try step(shard: shard, of: &parameters, gradients: gradients, groups: nil)
    }

    /// Copies into `FlatTensor`s, steps them, and copies back: for conformers outside this module.
    ///
    /// - Parameters:
    ///   - parameters: The values to update, in place.
    ///   - gradients: One gradient per parameter.
    ///   - groups: Groups built for `parameters.count` elements.
    /// - Throws: ``OptimizerError``, with the parameters and the optimizer unchanged.
    public mutating func step(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, groups: ParameterGroups
    ) throws {
        var tensor = FlatTensor(parameters)
        try step(parameters: &tensor, gradients: FlatTensor(gradients), groups: groups)
        tensor.copyElements(to: parameters)
    }

    /// Copies into `FlatTensor`s, steps them, and copies back: for conformers outside this module.
    ///
    /// - Parameters:
    ///   - shard: The range of `parameters` this optimizer owns.
    ///   - parameters: The whole buffer; only `parameters[shard]` changes.
    ///   - gradients: The shard's gradients, `shard.count` of them.
    ///   - groups: Groups defined on the whole buffer, or nil.
    /// - Throws: ``OptimizerError``, with the parameters and the optimizer unchanged.
    public mutating func step(
        shard: Range<Int>, of parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
        groups: ParameterGroups?
    ) throws {
        var tensor = FlatTensor(parameters)
        try step(shard: shard, of: &tensor, gradients: FlatTensor(gradients), groups: groups)
        tensor.copyElements(to: parameters)
    }
}
