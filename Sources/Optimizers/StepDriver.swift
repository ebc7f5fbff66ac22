// The part of `step` that every optimizer in this module shares: validation, state allocation,
// then one kernel pass. Each optimizer supplies the pass.

/// An optimizer whose update is element-wise, with state buffers the size of the parameters.
protocol ElementwiseOptimizer: StatefulOptimizer where State: OptimizerState {
    init(learningRate: Float, configuration: Configuration, parameterCount: Int?) throws
    /// `configuration` re-validated (a decoded configuration has not been through `init`).
    static func validated(_ configuration: Configuration) throws -> Configuration
    var state: State { get set }
    var stateCount: Int? { get set }
    /// The configured weight decay (passed to `update` so parameter groups can override it).
    var configuredWeightDecay: Float { get }
    /// Allocates the state for `count` elements if needed and advances the step counter.
    mutating func beginStep(count: Int)
    /// Applies the current step to the elements in `range` of the parameters, the gradients and
    /// every state buffer.
    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float)
}

extension ElementwiseOptimizer {
    /// Validates, then updates all of `parameters`, group by group when `groups` are given
    /// (one kernel pass per group; all groups share one step count).
    mutating func performStep(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups? = nil) throws {
        if let groups, groups.parameterCount != parameters.count {
            throw OptimizerError.stateCountMismatch(state: groups.parameterCount, parameters: parameters.count)
        }
        guard try Validate.step(learningRate: learningRate, parameters: parameters, gradients: gradients,
                                stateCount: stateCount, gradientCheck: gradientCheck)
        else { return }
        beginStep(count: parameters.count)
        let (x, g) = (parameters.mutableBase(), gradients.base)
        guard let groups else {
            update(parameters: x, gradients: g, range: 0..<parameters.count, learningRate: learningRate,
                   weightDecay: configuredWeightDecay)
            return
        }
        for segment in groups.segments() {
            update(parameters: x, gradients: g, range: segment.range, learningRate: learningRate * segment.scale,
                   weightDecay: segment.weightDecay ?? configuredWeightDecay)
        }
    }
}
