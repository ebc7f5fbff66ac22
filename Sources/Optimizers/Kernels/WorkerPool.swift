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

/// The `chunk`-th of `chunks` contiguous pieces of `range`, with boundaries on multiples of
/// 16 elements (one cache line) from the range's start.
func chunkRange(_ chunk: Int, of chunks: Int, in range: Range<Int>) -> Range<Int> {
    let lines = (range.count + 15) / 16
    let start = min(range.count, lines * chunk / chunks * 16)
    let end = chunk == chunks - 1 ? range.count : min(range.count, lines * (chunk + 1) / chunks * 16)
    return (range.lowerBound + start)..<(range.lowerBound + end)
}

/// Persistent worker threads that help the calling thread with the chunks of one job at a time.
/// Dispatching a job allocates nothing: the job is plain data (`ParallelJob`), and `run` returns
/// only when every chunk is done.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// The current job. Sendable by construction: its pointers are only dereferenced for a
    /// claimed chunk, and `run` keeps the buffers alive until every chunk is finished.
    private struct Job: @unchecked Sendable {
        var generation: UInt32 = 0
        var job: ParallelJob?
        var range = 0..<0
        var chunks = 0
        var recording: Recording?
    }

    /// The current job, read by workers when they wake.
    private let current = Mutex(Job())
    /// Generation (high 32 bits) and next unclaimed chunk (low 32 bits) of the current job.
    private let claims = Atomic<UInt64>(0)
    /// Chunks finished in the current job.
    private let finished = Atomic<Int>(0)
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

    /// Runs `job` over `range` in `chunks` pieces, on this thread and the workers.
    func run(_ job: ParallelJob, over range: Range<Int>, chunks: Int, recording: Recording? = nil) {
        guard workerCount > 0, chunks > 1 else {
            for chunk in 0..<chunks {
                job.run(chunkRange(chunk, of: chunks, in: range), chunk: chunk, recording: recording)
            }
            return
        }
        submission.withLock { _ in
            let generation = current.withLock { current -> UInt32 in
                current.generation &+= 1
                (current.job, current.range, current.chunks, current.recording) = (job, range, chunks, recording)
                return current.generation
            }
            finished.store(0, ordering: .relaxed)
            claims.store(UInt64(generation) << 32, ordering: .releasing)
            for _ in 0..<min(workerCount, chunks - 1) { wake.signal() }
            claimChunks(generation: generation, job: job, range: range, chunks: chunks, recording: recording)
            while finished.load(ordering: .acquiring) < chunks { sched_yield() }
        }
    }

    /// Claims and runs chunks of job `generation` until none is left.
    private func claimChunks(generation: UInt32, job: ParallelJob, range: Range<Int>, chunks: Int,
                             recording: Recording?) {
        while true {
            let word = claims.load(ordering: .acquiring)
            guard UInt32(word >> 32) == generation, Int(word & 0xFFFF_FFFF) < chunks else { return }
            let (exchanged, _) = claims.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            guard exchanged else { continue }
            let chunk = Int(word & 0xFFFF_FFFF)
            job.run(chunkRange(chunk, of: chunks, in: range), chunk: chunk, recording: recording)
            finished.add(1, ordering: .releasing)
        }
    }

    private func work() {
        while true {
            wake.wait()
            let snapshot = current.withLock { $0 }
            if let job = snapshot.job {
                claimChunks(generation: snapshot.generation, job: job, range: snapshot.range, chunks: snapshot.chunks,
                            recording: snapshot.recording)
            }
        }
    }
}
