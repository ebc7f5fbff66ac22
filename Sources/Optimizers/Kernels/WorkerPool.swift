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
        min(maximumThreadCount, max(1, count / minimumElementsPerThread))
    }
}

/// Runs `kernel` over `range`, split into contiguous chunks (multiples of 64 bytes) across the
/// worker pool when the range is large enough.
@inline(__always)
func forEachVectorInParallel<K: VectorKernel>(in range: Range<Int>, _ kernel: K) {
    let threads = Parallelism.threadCount(for: range.count)
    if threads == 1 {
        forEachVector(in: range, kernel)
        return
    }
    WorkerPool.shared.run(chunks: threads) { chunk in
        forEachVector(in: chunkRange(chunk, of: threads, in: range), kernel)
    }
}

/// The `chunk`-th of `chunks` contiguous pieces of `range`, with boundaries on multiples of
/// 16 elements (one cache line) from the range's start.
func chunkRange(_ chunk: Int, of chunks: Int, in range: Range<Int>) -> Range<Int> {
    let lines = (range.count + 15) / 16
    let start = min(range.count, lines * chunk / chunks * 16)
    let end = chunk == chunks - 1 ? range.count : min(range.count, lines * (chunk + 1) / chunks * 16)
    return (range.lowerBound + start)..<(range.lowerBound + end)
}

/// Persistent worker threads that help the calling thread with the chunks of one job at a time.
/// Dispatching a job allocates nothing: the job closure is borrowed (`withoutActuallyEscaping`)
/// for the duration of `run`, which returns only when every chunk is done and no worker still
/// holds the closure.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// The closure of the running job. Sendable by construction: `run` keeps it alive and
    /// unchanged until every worker has let go of it, and chunks touch disjoint elements.
    private struct Body: @unchecked Sendable {
        let call: (Int) -> Void
    }

    private struct Job {
        var generation: UInt32 = 0
        var body: Body?
        var chunks = 0
    }

    /// The current job, read by workers when they wake.
    private let job = Mutex(Job())
    /// Generation (high 32 bits) and next unclaimed chunk (low 32 bits) of the current job.
    private let claims = Atomic<UInt64>(0)
    /// Chunks finished in the current job.
    private let finished = Atomic<Int>(0)
    /// Workers holding a copy of the current job's closure.
    private let holders = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// Serialises jobs from different calling threads.
    private let submission = Mutex(())
    let workerCount: Int

    private init(workers: Int) {
        workerCount = workers
        for _ in 0..<workers {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "Optimizers worker"
            thread.start()
        }
    }

    /// Calls `body(chunk)` once for every chunk in `0..<chunks`, on this thread and the workers.
    func run(chunks: Int, _ body: (Int) -> Void) {
        guard workerCount > 0, chunks > 1 else {
            for chunk in 0..<chunks { body(chunk) }
            return
        }
        submission.withLock { _ in
            withoutActuallyEscaping(body) { body in
                let generation = job.withLock { job -> UInt32 in
                    job.generation &+= 1
                    job.body = Body(call: body)
                    job.chunks = chunks
                    return job.generation
                }
                finished.store(0, ordering: .relaxed)
                claims.store(UInt64(generation) << 32, ordering: .releasing)
                for _ in 0..<min(workerCount, chunks - 1) { wake.signal() }
                claimChunks(generation: generation, chunks: chunks, body: body)
                while finished.load(ordering: .acquiring) < chunks { sched_yield() }
                job.withLock { $0.body = nil }
                while holders.load(ordering: .acquiring) > 0 { sched_yield() }
            }
        }
    }

    /// Claims and runs chunks of job `generation` until none is left.
    private func claimChunks(generation: UInt32, chunks: Int, body: (Int) -> Void) {
        while true {
            let word = claims.load(ordering: .acquiring)
            guard UInt32(word >> 32) == generation, Int(word & 0xFFFF_FFFF) < chunks else { return }
            let (exchanged, _) = claims.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            guard exchanged else { continue }
            body(Int(word & 0xFFFF_FFFF))
            finished.add(1, ordering: .releasing)
        }
    }

    private func work() {
        while true {
            wake.wait()
            participate()
            // `participate` has returned, so its copy of the closure is gone (a release inside
            // this loop could be moved past the atomic operation by the optimizer).
            holders.subtract(1, ordering: .releasing)
        }
    }

    /// Registers as a holder, takes the current job and helps with its chunks.
    @inline(never)
    private func participate() {
        let (generation, body, chunks) = job.withLock { job in
            holders.add(1, ordering: .relaxed)
            return (job.generation, job.body, job.chunks)
        }
        if let body { claimChunks(generation: generation, chunks: chunks, body: body.call) }
    }
}
