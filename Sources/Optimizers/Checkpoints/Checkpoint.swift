import Foundation

/// An optimizer's complete state (hyperparameters, learning rate, step count and every buffer)
/// as a value: `Codable` (JSON and friends), and a compact binary file that a crash cannot leave
/// half-written. Restoring it and stepping on reproduces the uninterrupted run bit for bit.
///
/// ```swift
/// try optimizer.checkpoint.write(to: url)                    // binary, atomic
/// var resumed = try AdamW(restoring: Checkpoint(contentsOf: url))
/// ```
///
/// A checkpoint is data: nothing in it is trusted until ``StatefulOptimizer/init(restoring:)``
/// has checked the hyperparameters, the step count, every buffer's size against `stateCount`,
/// and the buffers' contents.
public struct Checkpoint<O: StatefulOptimizer>: Codable, Equatable, Sendable {
    /// The optimizer type the checkpoint belongs to ("AdamW", "S3", ...).
    public var optimizer: String
    /// The learning rate of the next step.
    public var learningRate: Float
    /// What the optimizer does about non-finite gradients.
    public var gradientCheck: GradientCheck
    /// The element count the state was built for (nil before the first step).
    public var stateCount: Int?
    /// The hyperparameters other than the learning rate.
    public var configuration: O.Configuration
    /// The step count and every state buffer.
    public var state: O.State

    /// Everything needed to resume `optimizer` exactly.
    ///
    /// - Parameter optimizer: The optimizer to capture; its buffers are shared, not copied,
    ///   until one side writes.
    public init(of optimizer: O) {
        self.optimizer = Self.typeName
        learningRate = optimizer.learningRate
        gradientCheck = optimizer.gradientCheck
        stateCount = optimizer.stateCount
        configuration = optimizer.configuration
        state = optimizer.state
    }

    /// The name a checkpoint records for `O`.
    static var typeName: String { String(describing: O.self) }

    /// Two checkpoints are equal when every field is, learning rate compared bit for bit.
    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.optimizer == b.optimizer && a.learningRate.bitPattern == b.learningRate.bitPattern
            && a.gradientCheck == b.gradientCheck && a.stateCount == b.stateCount
            && a.configuration == b.configuration && a.state == b.state
    }
}

extension StatefulOptimizer {
    /// Everything needed to resume this optimizer exactly.
    public var checkpoint: Checkpoint<Self> { Checkpoint(of: self) }

    /// Writes ``checkpoint`` as a binary file, atomically (see ``Checkpoint/write(to:)``).
    /// Callable on `any StatefulOptimizer`; ``restoreOptimizer(from:)`` reads the file back
    /// without knowing its type.
    ///
    /// - Parameter url: The file to create or replace.
    /// - Throws: The file system's error; `EncodingError` if the state cannot be encoded.
    public func writeCheckpoint(to url: URL) throws {
        try checkpoint.write(to: url)
    }
}
