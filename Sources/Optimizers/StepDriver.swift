// The part of `step` that every optimizer in this module shares: validation, state allocation,
// then one kernel pass. Each optimizer supplies the pass.

/// An optimizer whose update is element-wise, with state buffers the size of the parameters.
protocol ElementwiseOptimizer: StatefulOptimizer where State: OptimizerState {
    init(learningRate: Float, configuration: Configuration, parameterCount: Int?) throws
    /// `configuration` re-validated (a decoded configuration has not been through `init`).
    static func validated(_ configuration: Configuration) throws -> Configuration
    var state: State { get set }
    var stateCount: Int? { get set }
    var telemetry: UpdateTelemetry? { get set }
    /// The configured weight decay (passed to `update` so parameter groups can override it).
    var configuredWeightDecay: Float { get }
    /// Allocates the state for `count` elements if needed and advances the step counter.
    mutating func beginStep(count: Int)
    /// Applies the current step to the elements in `range` of the parameters, the gradients and
    /// every state buffer; with `inverseLearningRate`, returns the statistics of the updates.
    mutating func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                         range: Range<Int>, learningRate: Float, weightDecay: Float,
                         recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics?
}

// The public entry points, the same for every optimizer of the module: each is a
// requirement of `Optimizer` or `StatefulOptimizer` (documented there), met once here.
extension ElementwiseOptimizer {
    public mutating func step(parameters: inout FlatTensor, gradients: FlatTensor) throws {
        try performStep(parameters: &parameters, gradients: gradients)
    }

    public mutating func step(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups) throws {
        try performStep(parameters: &parameters, gradients: gradients, groups: groups)
    }

    public mutating func step(shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor,
                              groups: ParameterGroups?) throws {
        try performStep(parameters: &parameters, gradients: gradients, shard: shard, groups: groups)
    }

    public init(restoring checkpoint: Checkpoint<Self>) throws {
        self = try Self.restored(from: checkpoint)
    }
}

extension ElementwiseOptimizer {
    /// Validates, then updates `parameters[shard]` (all of it when `shard` is nil) from
    /// `gradients` (the shard's gradients), group by group when `groups` (defined on the whole
    /// buffer) are given: one kernel pass per segment, one step count for all.
    mutating func performStep(parameters: inout FlatTensor, gradients: FlatTensor, shard: Range<Int>? = nil,
                              groups: ParameterGroups? = nil) throws {
        let shard = shard ?? 0..<parameters.count
        guard shard.lowerBound >= 0, shard.upperBound <= parameters.count else {
            throw OptimizerError.invalidShard(shard: shard, parameters: parameters.count)
        }
        if let groups, groups.parameterCount != parameters.count {
            throw OptimizerError.stateCountMismatch(state: groups.parameterCount, parameters: parameters.count)
        }
        guard shard.count == gradients.count else {
            throw OptimizerError.countMismatch(parameters: shard.count, gradients: gradients.count)
        }
        guard try Validate.step(learningRate: learningRate, count: shard.count, gradients: gradients,
                                stateCount: stateCount, gradientCheck: gradientCheck)
        else { return }
        beginStep(count: shard.count)
        // The kernels index parameters, gradients and state alike: shift the parameters so that
        // element `shard.lowerBound` is index 0.
        let (x, g) = (parameters.mutableBase() + shard.lowerBound, gradients.base)
        guard groups != nil || recordsTelemetry else {  // the plain step: no segment list to build
            _ = update(parameters: x, gradients: g, range: 0..<shard.count, learningRate: learningRate,
                       weightDecay: configuredWeightDecay, recordingWith: nil)
            telemetry = nil
            return
        }
        let segments = groups?.segments(within: shard) ?? [(0..<shard.count, 1, nil, UpdateTelemetry.ungrouped)]
        var overall = PartialUpdateStatistics()
        var perGroup: [String: PartialUpdateStatistics] = [:]  // the ungrouped gaps share one entry
        for segment in segments {
            let rate = learningRate * segment.scale
            let recording: Float? = recordsTelemetry && rate > 0 ? 1 / rate : nil
            let statistics = update(parameters: x, gradients: g, range: segment.range, learningRate: rate,
                                    weightDecay: segment.weightDecay ?? configuredWeightDecay, recordingWith: recording)
            if let statistics {
                overall.merge(statistics)
                perGroup[segment.name, default: PartialUpdateStatistics()].merge(statistics)
            }
        }
        telemetry = recordsTelemetry
            ? UpdateTelemetry(overall: UpdateStatistics(overall), groups: perGroup.mapValues(UpdateStatistics.init))
            : nil
    }
}
