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

    /// Runs the job over `range`, the `chunk`-th piece of the whole pass.
    func run(_ range: Range<Int>, chunk: Int) {
        switch self {
        case let .sgdm(kernel): forEachVector(in: range, kernel)
        case let .plainSGD(kernel): forEachVector(in: range, kernel)
        case let .adamW(kernel): forEachVector(in: range, kernel)
        case let .nAdam(kernel): forEachVector(in: range, kernel)
        case let .lion(kernel): forEachVector(in: range, kernel)
        case let .adan(kernel): forEachVector(in: range, kernel)
        case let .s3(arguments): S3Kernel.updateSerially(arguments, range: range)
        case let .scan(values, results): results[chunk] = NonFiniteScan.firstNonFinite(values, in: range) ?? .max
        }
    }
}

/// Runs `kernel` over `range`, split into contiguous chunks across the worker pool when the
/// range is large enough (see ``Parallelism``).
@inline(__always)
func forEachVectorInParallel<K: VectorKernel>(in range: Range<Int>, _ kernel: K) {
    let threads = Parallelism.threadCount(for: range.count)
    if threads == 1 {
        forEachVector(in: range, kernel)
    } else {
        WorkerPool.shared.run(kernel.job, over: range, chunks: threads)
    }
}
