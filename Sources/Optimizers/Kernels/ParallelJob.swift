/// One parallel pass as plain data: the kernel (or the gradient scan) with its pointers and
/// coefficients. The worker pool stores and copies it instead of a closure, because handing a
/// closure to other threads allocates a context on every step.
enum ParallelJob {
    case sgdm(SGDMKernel)
    case plainSGD(PlainSGDKernel)
    case adamW(AdamWKernel.Arguments)
    case nAdam(NAdamKernel)
    case lion(LionKernel)
    case adan(AdanKernel)
    case s3(S3Kernel.Arguments)
    /// The non-finite scan; chunk `i` writes its first bad index (or `Int.max`) to `results[i]`.
    case scan(UnsafePointer<Float>, results: UnsafeMutablePointer<Int>)

    /// Runs the job over `range`, the `chunk`-th piece of the whole pass; with `recording`,
    /// also measures the updates into `recording.results[chunk]`.
    func run(_ range: Range<Int>, chunk: Int, recording: Recording?) {
        let rate = recording?.inverseLearningRate
        let statistics: PartialUpdateStatistics?
        switch self {
        case let .sgdm(kernel): statistics = runSerially(kernel, in: range, recordingWith: rate)
        case let .plainSGD(kernel): statistics = runSerially(kernel, in: range, recordingWith: rate)
        case let .adamW(arguments): statistics = AdamWKernel.updateSerially(arguments, range: range, recordingWith: rate)
        case let .nAdam(kernel): statistics = runSerially(kernel, in: range, recordingWith: rate)
        case let .lion(kernel): statistics = runSerially(kernel, in: range, recordingWith: rate)
        case let .adan(kernel): statistics = runSerially(kernel, in: range, recordingWith: rate)
        case let .s3(arguments): statistics = S3Kernel.updateSerially(arguments, range: range, recordingWith: rate)
        case let .scan(values, results):
            results[chunk] = NonFiniteScan.firstNonFinite(values, in: range) ?? .max
            return
        }
        if let recording, let statistics { recording.results[chunk] = statistics }
    }
}

/// Where a telemetry-recording pass writes its per-chunk statistics.
struct Recording {
    let inverseLearningRate: Float
    let results: UnsafeMutablePointer<PartialUpdateStatistics>
}

/// Runs `job` over `range`, in parallel when large enough; when `inverseLearningRate` is given,
/// returns the statistics of the updates.
func run(_ job: ParallelJob, in range: Range<Int>, recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
    let threads = Parallelism.threadCount(for: range.count)
    guard let inverseLearningRate else {
        WorkerPool.shared.run(job, over: range, chunks: threads, recording: nil)
        return nil
    }
    return withUnsafeTemporaryAllocation(of: PartialUpdateStatistics.self, capacity: threads) { results in
        let recording = Recording(inverseLearningRate: inverseLearningRate, results: results.baseAddress!)
        WorkerPool.shared.run(job, over: range, chunks: threads, recording: recording)
        return results.reduce(into: PartialUpdateStatistics()) { $0.merge($1) }
    }
}

/// Runs `kernel` over `range`, split into contiguous chunks across the worker pool when the
/// range is large enough (see ``Parallelism``).
@inline(__always)
func forEachVectorInParallel<K: VectorKernel>(in range: Range<Int>, _ kernel: K,
                                               recordingWith inverseLearningRate: Float? = nil) -> PartialUpdateStatistics? {
    if Parallelism.threadCount(for: range.count) == 1 {
        return runSerially(kernel, in: range, recordingWith: inverseLearningRate)
    }
    return run(kernel.job, in: range, recordingWith: inverseLearningRate)
}
