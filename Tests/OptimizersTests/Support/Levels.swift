@testable import Optimizers

/// The instruction-set levels this machine and build can run: tests that compare levels take
/// them as arguments. Levels it cannot run are named once, by `InstructionSetTests`.
let testedLevels = InstructionSet.available

/// The levels this machine cannot run (their tests are skipped, with a message).
let skippedLevels = InstructionSet.allCases.filter { !testedLevels.contains($0) }

/// Runs `body` with every step on this task at `level`.
func atLevel<R>(_ level: InstructionSet, _ body: () throws -> R) rethrows -> R {
    try InstructionSet.withForcedLevel(level, body)
}

/// The raw bytes of an optimizer's checkpoint: equal exactly when every field and every bit of
/// every buffer is.
func checkpointBytes(_ optimizer: any StatefulOptimizer) throws -> [UInt8] {
    func open<T: StatefulOptimizer>(_ optimizer: T) throws -> [UInt8] {
        [UInt8](try optimizer.checkpoint.binaryRepresentation())
    }
    return try open(optimizer)
}

/// Runs `body` with every step on this task using at most `threads` threads, splitting work
/// from `minimumElementsPerThread` elements per thread on (the library's 65,536 unless given:
/// small buffers then exercise the same chunking, tails and merges, in a fraction of the time).
func withThreads<R>(
    _ threads: Int, minimumElementsPerThread: Int = Parallelism.minimumElementsPerThread,
    _ body: () throws -> R
) rethrows -> R {
    try Parallelism.withLimits(threads: threads, minimumElementsPerThread: minimumElementsPerThread, body)
}
