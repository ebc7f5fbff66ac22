import _OptimizersKernels

/// Averages the gradients of `microBatches` micro-batches before an optimizer step (gradient
/// accumulation; optax's `MultiSteps`), in one pass per micro-batch and no allocation after
/// `init`.
///
/// ```swift
/// var accumulator = try GradientAccumulator(parameterCount: n, microBatches: 4)
/// for batch in batches {
///     if try accumulator.add(gradients(of: batch)) {        // true on every fourth batch
///         try optimizer.step(parameters: &weights, gradients: accumulator.average)
///     }
/// }
/// ```
///
/// Rounding: the micro-batches are summed in float32 in the order they arrive, and the last
/// one's pass divides the sum by `microBatches` (one correctly rounded division). Each element
/// of ``average`` is therefore within `(k - 1) * 2^-24 * (|g_1| + ... + |g_k|) / k` plus half an
/// ulp of the exact average of its `k` values (tested against a float64 average). A micro-batch
/// with NaN or infinite gradients makes the average non-finite, which the optimizer's gradient
/// check then refuses; ``reset()`` discards the round.
public struct GradientAccumulator: Sendable {
    /// Micro-batches per average.
    public let microBatches: Int
    /// Micro-batches added to the current round (0 after a completed round).
    public private(set) var added = 0
    /// The running sum during a round; the average once ``isComplete``.
    public private(set) var average: FlatTensor
    /// Whether ``average`` holds a finished average (the last ``add(_:)-(FlatTensor)`` returned true).
    public private(set) var isComplete = false

    /// - Parameters:
    ///   - parameterCount: Elements per gradient, >= 0, whose buffer fits in the machine's memory.
    ///   - microBatches: Micro-batches per average, >= 1.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public init(parameterCount: Int, microBatches: Int) throws {
        try Validate.parameterCount(parameterCount)
        try Validate.allocation("parameterCount", count: parameterCount, buffers: 1)
        try Validate.count("microBatches", microBatches, minimum: 1)
        self.microBatches = microBatches
        average = FlatTensor(zeros: parameterCount)
    }

    /// Adds one micro-batch's gradients; returns true when it completes a round, with the
    /// average in ``average``. The next call starts a new round.
    ///
    /// - Parameter gradients: One micro-batch's gradients, ``average``'s count of them.
    /// - Returns: Whether this micro-batch completed a round (time to step).
    /// - Throws: ``OptimizerError/tensorCountMismatch(expected:found:)``, with nothing changed.
    @discardableResult
    public mutating func add(_ gradients: FlatTensor) throws -> Bool {
        try gradients.withUnsafeBufferPointer { try add($0) }
    }

    /// Adds one micro-batch's gradients from memory the caller owns (see ``add(_:)-(FlatTensor)``).
    ///
    /// - Parameter gradients: One micro-batch's gradients, ``average``'s count of them.
    /// - Returns: Whether this micro-batch completed a round (time to step).
    /// - Throws: ``OptimizerError/tensorCountMismatch(expected:found:)``, with nothing changed.
    @discardableResult
    public mutating func add(_ gradients: UnsafeBufferPointer<Float>) throws -> Bool {
        guard gradients.count == average.count else {
            throw OptimizerError.tensorCountMismatch(expected: average.count, found: gradients.count)
        }
        if isComplete { reset() }
        let last = added + 1 == microBatches
        if let source = gradients.baseAddress {
            let operation: TensorOperation = added == 0 ? .copy : last ? .addThenDivide : .addScaled
            average.apply(operation, source: source, factor: operation == .addThenDivide ? Float(microBatches) : 1)
        }
        added = last ? 0 : added + 1
        isComplete = last
        return last
    }

    /// Clips the finished ``average`` to global norm `maxNorm` in place (see
    /// ``GradientClipping/clipGlobalNorm(_:maxNorm:ranges:)-(FlatTensor,_,_)``: a finite norm
    /// also lets the next step skip its non-finite scan) and returns the norm before clipping.
    ///
    /// - Parameter maxNorm: The largest norm to keep; finite and > 0.
    /// - Returns: The global norm before clipping, in double precision.
    /// - Throws: ``OptimizerError``, with nothing changed.
    @discardableResult
    public mutating func clipAverage(toGlobalNorm maxNorm: Float) throws -> Double {
        try GradientClipping.clipGlobalNorm(&average, maxNorm: maxNorm)
    }

    /// Discards the current round.
    public mutating func reset() {
        added = 0
        isComplete = false
    }
}
