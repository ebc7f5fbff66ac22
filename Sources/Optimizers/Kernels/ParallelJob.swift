/// One parallel pass as plain data: the kernel (or the gradient scan) with its pointers and
/// coefficients. The worker pool stores and copies it instead of a closure, because handing a
/// closure to other threads allocates a context on every step.
enum ParallelJob {
    case sgdm(SGDMKernel)
    case plainSGD(PlainSGDKernel)
    case adamW(AdamWKernel)
    case nAdam(NAdamKernel)
    case lion(LionKernel)
    case adan(AdanKernel)
    case s3(S3Kernel.Arguments)
    /// The non-finite scan; chunk `i` writes its first bad index (or `Int.max`) to `results[i]`.
    case scan(UnsafePointer<Float>, results: UnsafeMutablePointer<Int>)

    /// Runs the job over `range`, the `chunk`-th piece of the whole pass; with `recording`,
    /// also measures the updates into `recording.results[chunk]`.
    func run(_ range: Range<Int>, chunk: Int, recording: Recording?) {
        @inline(__always) func run<K: VectorKernel>(_ kernel: K) {
            if let recording {
                recording.results[chunk] = forEachVectorRecording(
                    in: range, kernel, inverseLearningRate: recording.inverseLearningRate)
            } else {
                forEachVector(in: range, kernel)
            }
        }
        switch self {
        case let .sgdm(kernel): run(kernel)
        case let .plainSGD(kernel): run(kernel)
        case let .adamW(kernel): run(kernel)
        case let .nAdam(kernel): run(kernel)
        case let .lion(kernel): run(kernel)
        case let .adan(kernel): run(kernel)
        case let .s3(arguments):
            S3Kernel.updateSerially(arguments, range: range, recording: recording.map { ($0.results + chunk, $0.inverseLearningRate) })
        case let .scan(values, results): results[chunk] = NonFiniteScan.firstNonFinite(values, in: range) ?? .max
        }
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
        guard let inverseLearningRate else {
            forEachVector(in: range, kernel)
            return nil
        }
        return forEachVectorRecording(in: range, kernel, inverseLearningRate: inverseLearningRate)
    }
    return run(kernel.job, in: range, recordingWith: inverseLearningRate)
}
