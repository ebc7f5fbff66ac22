import Foundation
import Synchronization
import _OptimizersKernels

/// Persistent worker threads that help the calling thread with the chunks of one pass at a time.
///
/// A pass is a kernel's entry point (a closure that captures nothing), a pointer to its
/// arguments and a range: plain data, so dispatching allocates nothing, and the pool knows no
/// kernel. `run` returns only when every chunk is done, so the pointers stay valid throughout.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// One pass. Sendable by construction: its pointers are only dereferenced for a claimed
    /// chunk, and `run` keeps them valid until every chunk is finished.
    private struct Pass: @unchecked Sendable {
        var generation: UInt32 = 0
        var function: KernelFunction?
        var arguments: UnsafeRawPointer?
        var range = 0..<0
        var chunks = 0
        var outputs: UnsafeMutableRawPointer?
        var outputStride = 0

        func run(_ chunk: Int) {
            function!(arguments!, chunkRange(chunk, of: chunks, in: range), outputs.map { $0 + chunk * outputStride })
        }
    }

    /// The current pass, read by workers when they wake.
    private let current = Mutex(Pass())
    /// Generation (high 32 bits) and next unclaimed chunk (low 32 bits) of the current pass.
    private let claims = Atomic<UInt64>(0)
    /// Chunks finished in the current pass.
    private let finished = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    /// Serialises passes from different calling threads.
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

    /// Runs `function` with `arguments` over `range` in `chunks` contiguous pieces (see
    /// `chunkRange`), on this thread and up to `threads - 1` workers (`threads` defaults to
    /// `chunks`); chunk `i` writes its result, if any, to `outputs + i * outputStride`.
    func run(
        _ function: KernelFunction, arguments: UnsafeRawPointer, over range: Range<Int>, chunks: Int,
        threads: Int? = nil, outputs: UnsafeMutableRawPointer?, outputStride: Int
    ) {
        var pass = Pass(
            function: function, arguments: arguments, range: range, chunks: chunks, outputs: outputs,
            outputStride: outputStride)
        let helpers = min(workerCount, (threads ?? chunks) - 1, chunks - 1)
        guard helpers > 0 else {
            for chunk in 0..<chunks { pass.run(chunk) }
            return
        }
        submission.withLock { _ in
            pass.generation = current.withLock { current in
                pass.generation = current.generation &+ 1
                current = pass
                return pass.generation
            }
            finished.store(0, ordering: .relaxed)
            claims.store(UInt64(pass.generation) << 32, ordering: .releasing)
            for _ in 0..<helpers { wake.signal() }
            claimChunks(of: pass)
            while finished.load(ordering: .acquiring) < chunks { sched_yield() }
        }
    }

    /// Claims and runs chunks of `pass` until none is left.
    private func claimChunks(of pass: Pass) {
        while true {
            let word = claims.load(ordering: .acquiring)
            guard UInt32(word >> 32) == pass.generation, Int(word & 0xFFFF_FFFF) < pass.chunks else { return }
            let (exchanged, _) = claims.compareExchange(
                expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            guard exchanged else { continue }
            pass.run(Int(word & 0xFFFF_FFFF))
            finished.add(1, ordering: .releasing)
        }
    }

    private func work() {
        while true {
            wake.wait()
            let pass = current.withLock { $0 }
            if pass.function != nil { claimChunks(of: pass) }
        }
    }
}

/// Runs one kernel pass over `range`: on the calling thread, or split across the worker pool
/// when the range is large enough (see ``Parallelism``). With a `recordingScale` (`1 / lr`),
/// returns the statistics of the updates, gathered over fixed tiles and merged in order, so
/// that they have the same bits on any number of threads.
func runPass<Arguments>(
    _ function: KernelFunction, _ arguments: Arguments, over range: Range<Int>,
    recordingScale: Float? = nil
) -> PartialUpdateStatistics? {
    let threads = Parallelism.threadCount(for: range.count)
    return withUnsafePointer(to: arguments) { pointer in
        guard let recordingScale else {
            if threads == 1 {
                function(pointer, range, nil)
            } else {
                WorkerPool.shared.run(
                    function, arguments: pointer, over: range, chunks: threads, outputs: nil, outputStride: 0)
            }
            return nil
        }
        let tiles = Parallelism.tileCount(for: range.count)
        return withUnsafeTemporaryAllocation(of: PartialUpdateStatistics.self, capacity: tiles) { results in
            results.initialize(repeating: PartialUpdateStatistics(scale: recordingScale))
            WorkerPool.shared.run(
                function, arguments: pointer, over: range, chunks: tiles, threads: threads,
                outputs: UnsafeMutableRawPointer(results.baseAddress!),
                outputStride: MemoryLayout<PartialUpdateStatistics>.stride)
            return results.reduce(into: PartialUpdateStatistics(scale: recordingScale)) { $0.merge($1) }
        }
    }
}
