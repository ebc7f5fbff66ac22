import Foundation
import Synchronization

/// How many threads a step may use. Steps on fewer than ``minimumElementsPerThread`` elements
/// per thread run on the calling thread alone, so small buffers never pay for waking workers.
/// Every element is updated by the same code whatever the split, so results are bit-identical
/// for every thread count.
public enum Parallelism {
    private static let limit = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    /// The most threads (the caller included) one step uses; at least 1. Defaults to the number
    /// of active processors. Setting it takes effect at the next step.
    public static var maximumThreadCount: Int {
        get { limit.load(ordering: .relaxed) }
        set { limit.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Elements each thread must get before a step is split (65,536: about 20 microseconds of
    /// AdamW, several times the cost of waking a worker).
    public static let minimumElementsPerThread = 65_536

    /// The number of threads a step over `count` elements uses.
    static func threadCount(for count: Int) -> Int {
        let (limit, minimum) = current
        return min(limit, max(1, count / minimum))
    }

    /// The number of fixed tiles a reduction over `count` elements is cut into: one per
    /// ``minimumElementsPerThread`` elements, whatever the thread count, so that partial sums,
    /// and therefore their total, have the same bits on any number of threads.
    static func tileCount(for count: Int) -> Int {
        max(1, count / current.minimum)
    }

    // MARK: Limits for one task (tests)

    /// The limits forced for the current task by ``withLimits(threads:minimumElementsPerThread:_:)``.
    @TaskLocal private static var forced: (limit: Int, minimum: Int)?
    /// Whether any task ever forced limits: until then, steps do not look up the task-local value.
    private static let everForced = Atomic<Bool>(false)

    /// Runs `body` with every step on this task using at most `threads` threads and splitting
    /// work from `minimumElementsPerThread` elements per thread on, without changing what
    /// other tasks see. For tests that compare thread counts on small buffers.
    static func withLimits<R>(
        threads: Int, minimumElementsPerThread minimum: Int = minimumElementsPerThread,
        _ body: () throws -> R
    ) rethrows -> R {
        everForced.store(true, ordering: .relaxed)
        return try $forced.withValue((max(1, threads), max(16, minimum)), operation: body)
    }

    private static var current: (limit: Int, minimum: Int) {
        if everForced.load(ordering: .relaxed), let forced { return forced }
        return (maximumThreadCount, minimumElementsPerThread)
    }
}

/// The `chunk`-th of `chunks` contiguous pieces of `range`, with boundaries on multiples of
/// 16 elements (one cache line) from the range's start. Exact for every `Int` count.
func chunkRange(_ chunk: Int, of chunks: Int, in range: Range<Int>) -> Range<Int> {
    let lines = range.count / 16 + (range.count % 16 == 0 ? 0 : 1)
    func boundary(_ index: Int) -> Int {
        // lines * index / chunks without overflow: index <= chunks, and both fit in 64 bits.
        let (high, low) = lines.multipliedFullWidth(by: index)
        let (quotient, _) = chunks.dividingFullWidth((high, low))
        return min(range.count, quotient.multipliedReportingOverflow(by: 16).overflow ? range.count : quotient * 16)
    }
    let start = boundary(chunk)
    let end = chunk == chunks - 1 ? range.count : boundary(chunk + 1)
    return (range.lowerBound + start)..<(range.lowerBound + end)
}
