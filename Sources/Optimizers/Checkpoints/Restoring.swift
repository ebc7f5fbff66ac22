import Foundation

extension ElementwiseOptimizer {
    /// Restores the optimizer a checkpoint describes, after checking everything in it: the
    /// type, the learning rate, the step count, every buffer's size against `stateCount`
    /// (before anything is allocated), and the buffers' contents (finite, and each optimizer's
    /// own invariants). Nothing is half-built: it either returns a working optimizer or throws.
    ///
    /// - Parameter checkpoint: A checkpoint of this optimizer type, from a file or decoded.
    /// - Throws: ``CheckpointError``, or ``OptimizerError`` for an invalid learning rate.
    public init(restoring checkpoint: Checkpoint<Self>) throws {
        guard checkpoint.optimizer == Checkpoint<Self>.typeName else {
            throw CheckpointError.wrongOptimizer(expected: Checkpoint<Self>.typeName, found: checkpoint.optimizer)
        }
        try Validate.nonNegative("learningRate", checkpoint.learningRate)
        let state = checkpoint.state, configuration = checkpoint.configuration
        guard state.step >= 0, state.step < Int.max else {
            throw CheckpointError.invalidStep(step: state.step, allowed: "0 ..< Int.max")
        }
        let expected: [Int]
        if let count = checkpoint.stateCount {
            guard count >= 0 else { throw CheckpointError.invalidContents("stateCount \(count) is negative") }
            expected = State.bufferCounts(count, configuration: configuration)
        } else {
            guard state.step == 0 else {
                throw CheckpointError.invalidStep(
                    step: state.step, allowed: "0 while the state is unallocated (stateCount nil)")
            }
            expected = State.buffers.map { _ in 0 }
        }
        for (buffer, count) in zip(State.buffers, expected) {
            let values = state[keyPath: buffer.path]
            guard values.count == count else {
                throw CheckpointError.bufferCountMismatch(buffer: buffer.name, expected: count, found: values.count)
            }
            if let index = values.withUnsafeBufferPointer({
                $0.baseAddress.flatMap { firstNonFinite($0, count: values.count) }
            }) {
                throw CheckpointError.invalidBufferValue(
                    buffer: buffer.name, index: index, value: values[index], allowed: "finite")
            }
        }
        try state.validateContents(configuration: configuration)
        self.init(
            core: OptimizerCore(
                learningRate: checkpoint.learningRate, configuration: configuration, state: state,
                stateCount: checkpoint.stateCount, gradientCheck: checkpoint.gradientCheck))
    }
}

/// This module's optimizer types, by the name their checkpoints record.
private let checkpointTypes: [any ElementwiseOptimizer.Type] = [
    SGDM.self, AdamW.self, NAdam.self, Lion.self, Adan.self, S3.self,
]

/// Restores whichever of this module's optimizers a binary checkpoint file holds, for training
/// loops that hold their optimizer as `any StatefulOptimizer` (the file names the type).
///
/// - Parameter url: A file written by ``StatefulOptimizer/writeCheckpoint(to:)`` or
///   ``Checkpoint/write(to:)``.
/// - Throws: The file system's error; ``CheckpointError`` (``CheckpointError/unknownOptimizer(_:)``
///   for a type this module does not have); ``OptimizerError``.
/// - Returns: The optimizer, ready to step; its type is the one the file names.
public func restoreOptimizer(from url: URL) throws -> any StatefulOptimizer {
    try restoreOptimizer(binaryRepresentation: Data(contentsOf: url, options: .alwaysMapped))
}

/// Restores whichever of this module's optimizers a binary checkpoint holds (see
/// ``restoreOptimizer(from:)``).
///
/// - Parameter data: The bytes of a binary checkpoint.
/// - Returns: The optimizer, ready to step; its type is the one the data names.
/// - Throws: ``CheckpointError`` or ``OptimizerError``.
public func restoreOptimizer(binaryRepresentation data: Data) throws -> any StatefulOptimizer {
    try data.withUnsafeBytes { bytes in
        let file = try CheckpointFile(bytes)
        let name = try file.optimizerName()
        guard let type = checkpointTypes.first(where: { String(describing: $0) == name }) else {
            throw CheckpointError.unknownOptimizer(name)
        }
        func restore<O: ElementwiseOptimizer>(_: O.Type) throws -> any StatefulOptimizer {
            try O(restoring: Checkpoint<O>(parsing: file))
        }
        return try restore(type)
    }
}
