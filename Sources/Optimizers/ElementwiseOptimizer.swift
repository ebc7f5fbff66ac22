// What this module's optimizers share, written once: the stored properties, the initialisers,
// the public step entry points (tensors and caller-owned memory, plain, grouped and sharded),
// validation before any change, state allocation, parameter groups and telemetry. Each
// optimizer supplies its `Configuration`, its `State` and one kernel pass (`update`).

import _OptimizersKernels

/// The stored properties every optimizer of this module has.
struct OptimizerCore<Configuration: Equatable & Sendable, State: Equatable & Sendable>: Equatable, Sendable {
    var learningRate: Float
    let configuration: Configuration
    var state: State
    var stateCount: Int?
    var gradientCheck = GradientCheck.rejectNonFinite
    var recordsTelemetry = false
    var telemetry: UpdateTelemetry?
}

/// A validated configuration: every value decoded or built went through its checks.
protocol OptimizerConfiguration: Codable, Equatable, Sendable {
    /// The configured weight decay, which parameter groups may override.
    var weightDecay: Float { get }
}

/// An optimizer's state: a step count and named float buffers, each either empty or one
/// element per parameter.
protocol ElementwiseState: Codable, Equatable, Sendable {
    associatedtype Configuration
    /// The state before the first step: step 0, empty buffers.
    init()
    var step: Int { get set }
    /// The buffers, in checkpoint order, with the names errors use.
    static var buffers: [(name: String, path: WritableKeyPath<Self, FlatTensor>)] { get }
    /// Which buffers `configuration` uses (the others stay empty).
    static func usesBuffer(_ index: Int, configuration: Configuration) -> Bool
    /// Advances the step count, and any per-step scalar the state keeps.
    mutating func advance(configuration: Configuration)
    /// Throws ``CheckpointError`` when restored contents could not continue a run (beyond the
    /// finite check every buffer gets): negative second moments, S3's `|m| > r`.
    func validateContents(configuration: Configuration) throws
}

extension ElementwiseState {
    static func usesBuffer(_ index: Int, configuration: Configuration) -> Bool { true }

    mutating func advance(configuration: Configuration) { step += 1 }

    func validateContents(configuration: Configuration) throws {}

    /// A state with zeroed buffers of `count` elements (those the configuration uses).
    init(count: Int, configuration: Configuration) {
        self.init()
        for (index, buffer) in Self.buffers.enumerated() where Self.usesBuffer(index, configuration: configuration) {
            self[keyPath: buffer.path] = FlatTensor(zeros: count)
        }
    }

    /// The expected element count of each buffer for `count` parameters.
    static func bufferCounts(_ count: Int, configuration: Configuration) -> [Int] {
        buffers.indices.map { usesBuffer($0, configuration: configuration) ? count : 0 }
    }
}

/// One kernel pass: `range` of the parameters `x` (index 0 is the state's first element), the
/// gradients `g` and every state buffer, at `learningRate` with `weightDecay`.
struct UpdatePass {
    let kernels: KernelTable
    let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let range: Range<Int>
    let learningRate: Float, weightDecay: Float
    /// `1 / learningRate` when telemetry records this pass.
    let recordingScale: Float?

    /// Runs `function` on `arguments` over the pass's range, across threads when large.
    func run<Arguments>(_ function: KernelFunction, _ arguments: Arguments) -> PartialUpdateStatistics? {
        runPass(function, arguments, over: range, recordingScale: recordingScale)
    }
}

/// An optimizer of this module: a `Configuration`, a `State` and one kernel pass.
protocol ElementwiseOptimizer: StatefulOptimizer
where Configuration: OptimizerConfiguration, State: ElementwiseState, State.Configuration == Configuration {
    var core: OptimizerCore<Configuration, State> { get set }
    init(core: OptimizerCore<Configuration, State>)
    /// Builds this step's kernel arguments for `pass` and runs the kernel; returns the
    /// statistics when the pass records them.
    mutating func update(_ pass: UpdatePass) -> PartialUpdateStatistics?
}

// MARK: Properties and initialisers

extension ElementwiseOptimizer {
    public var learningRate: Float {
        get { core.learningRate }
        set { core.learningRate = newValue }
    }

    public var configuration: Configuration { core.configuration }
    public var state: State { core.state }
    public var stateCount: Int? { core.stateCount }
    public var stepCount: Int { core.state.step }

    public var gradientCheck: GradientCheck {
        get { core.gradientCheck }
        set { core.gradientCheck = newValue }
    }

    public var recordsTelemetry: Bool {
        get { core.recordsTelemetry }
        set { core.recordsTelemetry = newValue }
    }

    public var telemetry: UpdateTelemetry? { core.telemetry }

    /// Creates the optimizer from a configuration (every `Configuration` value is valid: its
    /// initialiser and its decoder check it).
    ///
    /// - Parameters:
    ///   - learningRate: Finite and >= 0; may change between steps.
    ///   - configuration: The other hyperparameters.
    ///   - parameterCount: Allocates the state now for this many elements, instead of at the
    ///     first step.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``, also for a
    ///   `parameterCount` whose state would not fit in the machine's memory.
    public init(learningRate: Float, configuration: Configuration, parameterCount: Int? = nil) throws {
        try Validate.nonNegative("learningRate", learningRate)
        try Validate.parameterCount(parameterCount)
        var core = OptimizerCore(
            learningRate: learningRate, configuration: configuration, state: State(), stateCount: nil)
        if let parameterCount {
            let buffers = State.bufferCounts(parameterCount, configuration: configuration).filter { $0 > 0 }.count
            try Validate.allocation("parameterCount", count: parameterCount, buffers: buffers)
            core.state = State(count: parameterCount, configuration: configuration)
            core.stateCount = parameterCount
        }
        self.init(core: core)
    }
}

// MARK: The public entry points

extension ElementwiseOptimizer {
    public mutating func step(parameters: inout FlatTensor, gradients: FlatTensor) throws {
        try step(tensor: &parameters, gradients: gradients, shard: nil, groups: nil)
    }

    public mutating func step(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups) throws {
        try step(tensor: &parameters, gradients: gradients, shard: nil, groups: groups)
    }

    public mutating func step(
        shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups?
    ) throws {
        try step(tensor: &parameters, gradients: gradients, shard: shard, groups: groups)
    }

    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>)
        throws
    {
        try performStep(
            parameters: parameters, gradients: gradients, gradientsKnownFinite: false, shard: nil, groups: nil)
    }

    public mutating func step(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, groups: ParameterGroups
    ) throws {
        try performStep(
            parameters: parameters, gradients: gradients, gradientsKnownFinite: false, shard: nil, groups: groups)
    }

    public mutating func step(
        shard: Range<Int>, of parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
        groups: ParameterGroups?
    ) throws {
        try performStep(
            parameters: parameters, gradients: gradients, gradientsKnownFinite: false, shard: shard, groups: groups)
    }

    /// The tensor entry points: the parameters' storage is made unique (copy-on-write) only once
    /// the step is known to go ahead, so a refused step leaves a shared buffer shared.
    private mutating func step(
        tensor parameters: inout FlatTensor, gradients: FlatTensor, shard: Range<Int>?,
        groups: ParameterGroups?
    ) throws {
        let count = parameters.count
        try gradients.withUnsafeBufferPointer { g in
            try performStep(
                parameterCount: count, gradients: g, gradientsKnownFinite: gradients.isKnownFinite,
                shard: shard, groups: groups
            ) { parameters.mutableBase() }
        }
    }

    private mutating func performStep(
        parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
        gradientsKnownFinite: Bool, shard: Range<Int>?, groups: ParameterGroups?
    ) throws {
        if let x = parameters.baseAddress, let g = gradients.baseAddress,
            Self.overlaps(UnsafeRawPointer(x), parameters.count, UnsafeRawPointer(g), gradients.count)
        {
            throw OptimizerError.overlappingBuffers
        }
        try performStep(
            parameterCount: parameters.count, gradients: gradients, gradientsKnownFinite: gradientsKnownFinite,
            shard: shard, groups: groups
        ) { parameters.baseAddress! }
    }

    private static func overlaps(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int) -> Bool {
        aCount > 0 && bCount > 0 && a < b + 4 * bCount && b < a + 4 * aCount
    }
}

// MARK: The step

extension ElementwiseOptimizer {
    /// Validates everything, then updates `parameters[shard]` (all of them when `shard` is nil)
    /// from `gradients` (the shard's), group by group when `groups` (defined on the whole
    /// buffer) are given: one kernel pass per segment, one step count for all. `parameters`
    /// gives the base address once nothing can fail any more.
    private mutating func performStep(
        parameterCount: Int, gradients: UnsafeBufferPointer<Float>, gradientsKnownFinite: Bool, shard: Range<Int>?,
        groups: ParameterGroups?, parameters: () -> UnsafeMutablePointer<Float>
    ) throws {
        let shard = shard ?? 0..<parameterCount
        guard shard.lowerBound >= 0, shard.upperBound <= parameterCount else {
            throw OptimizerError.invalidShard(shard: shard, parameters: parameterCount)
        }
        if let groups, groups.parameterCount != parameterCount {
            throw OptimizerError.groupCountMismatch(groups: groups.parameterCount, parameters: parameterCount)
        }
        guard shard.count == gradients.count else {
            throw OptimizerError.countMismatch(parameters: shard.count, gradients: gradients.count)
        }
        try Validate.nonNegative("learningRate", learningRate)
        if let stateCount = core.stateCount, stateCount != shard.count {
            throw OptimizerError.stateCountMismatch(state: stateCount, parameters: shard.count)
        }
        guard let g = gradients.baseAddress, shard.count > 0 else { return }
        guard core.state.step < Int.max else { throw OptimizerError.stepLimitReached }
        let kernels = InstructionSet.currentKernels
        if core.gradientCheck == .rejectNonFinite, !gradientsKnownFinite,
            let index = firstNonFinite(g, count: gradients.count, kernels: kernels)
        {
            throw OptimizerError.nonFiniteGradient(index: index, value: g[index])
        }

        // Nothing can fail from here on.
        if core.stateCount == nil {
            core.state = State(count: shard.count, configuration: configuration)
            core.stateCount = shard.count
        }
        core.state.advance(configuration: configuration)
        // The kernels index parameters, gradients and state alike: shift the parameters so that
        // element `shard.lowerBound` is index 0.
        let x = parameters() + shard.lowerBound
        let weightDecay = configuration.weightDecay
        guard groups != nil || recordsTelemetry else {  // the plain step: no segments, no statistics
            _ = update(
                UpdatePass(
                    kernels: kernels, x: x, g: g, range: 0..<shard.count, learningRate: learningRate,
                    weightDecay: weightDecay, recordingScale: nil))
            core.telemetry = nil
            return
        }
        var overall = PartialUpdateStatistics(scale: 0)
        var perGroup: [String: PartialUpdateStatistics] = [:]  // the elements outside every group share one entry
        let segments = groups ?? ParameterGroups.ungrouped(parameterCount)
        segments.forEachSegment(within: shard) { range, group in
            guard group?.frozen != true else { return }
            let rate = learningRate * (group?.learningRateScale ?? 1)
            let recording: Float? = recordsTelemetry && rate > 0 ? 1 / rate : nil
            let pass = UpdatePass(
                kernels: kernels, x: x, g: g, range: range, learningRate: rate,
                weightDecay: group?.weightDecay ?? weightDecay, recordingScale: recording)
            if let statistics = update(pass) {
                overall.merge(statistics)
                perGroup[group?.name ?? UpdateTelemetry.ungrouped, default: PartialUpdateStatistics(scale: 0)].merge(
                    statistics)
            }
        }
        core.telemetry =
            recordsTelemetry
            ? UpdateTelemetry(overall: UpdateStatistics(overall), groups: perGroup.mapValues(UpdateStatistics.init))
            : nil
    }
}

/// The index of the first NaN or infinite value among `count` values, or nil; large buffers
/// are scanned in parallel chunks (the first bad index of the first bad chunk wins).
func firstNonFinite(_ values: UnsafePointer<Float>, count: Int, kernels: KernelTable = InstructionSet.currentKernels)
    -> Int?
{
    let threads = Parallelism.threadCount(for: count)
    return withUnsafePointer(to: values) { arguments in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: threads) { found in
            WorkerPool.shared.run(
                kernels.firstNonFinite, arguments: arguments, over: 0..<count, chunks: threads,
                outputs: UnsafeMutableRawPointer(found.baseAddress!), outputStride: MemoryLayout<Int>.stride)
            let first = found.min()!
            return first == Int.max ? nil : first
        }
    }
}
