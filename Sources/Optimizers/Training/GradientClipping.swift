import _OptimizersKernels

/// Gradient clipping by global norm, over a whole buffer or some of its ranges (for instance the
/// ranges of a few parameter groups).
public enum GradientClipping {
    /// The L2 norm of `gradients[ranges]` (all of it when `ranges` is nil); NaN or infinity
    /// when some element is. Ranges should not overlap (an element in two ranges counts twice).
    ///
    /// Squares are summed in float32 vector lanes over blocks of 256 elements and the blocks in
    /// double precision (relative error below 1e-5, typically 1e-7); a block whose float squares
    /// overflow (elements above about 1e19) is summed again in double precision, so finite
    /// gradients always give a finite norm.
    ///
    /// - Parameters:
    ///   - gradients: The values to measure.
    ///   - ranges: The ranges to include (all of the buffer when nil).
    /// - Returns: The L2 norm, in double precision.
    /// - Throws: ``OptimizerError/rangeOutOfBounds(range:count:)``.
    public static func globalNorm(_ gradients: FlatTensor, ranges: [Range<Int>]? = nil) throws -> Double {
        try gradients.withUnsafeBufferPointer { try globalNorm($0, ranges: ranges) }
    }

    /// The global norm of memory the caller owns (see ``globalNorm(_:ranges:)-(FlatTensor,_)``).
    ///
    /// - Parameters:
    ///   - gradients: The values to measure.
    ///   - ranges: The ranges to include (all of the buffer when nil).
    /// - Returns: The L2 norm, in double precision.
    /// - Throws: ``OptimizerError/rangeOutOfBounds(range:count:)``.
    public static func globalNorm(_ gradients: UnsafeBufferPointer<Float>, ranges: [Range<Int>]? = nil) throws -> Double
    {
        let ranges = try checked(ranges, count: gradients.count)
        guard let base = gradients.baseAddress else { return 0 }
        let kernels = InstructionSet.currentKernels
        var sum = 0.0
        // Tiles are fixed by the range, not by the thread count, and summed in order: the norm
        // has the same bits on any number of threads and at every instruction-set level.
        for range in ranges where !range.isEmpty {
            let tiles = Parallelism.tileCount(for: range.count), threads = Parallelism.threadCount(for: range.count)
            sum += withUnsafeTemporaryAllocation(of: Double.self, capacity: tiles) { partials in
                let arguments = SumOfSquaresArguments(
                    values: base, start: range.lowerBound, end: range.upperBound,
                    tileCount: tiles, partials: partials.baseAddress!)
                withUnsafePointer(to: arguments) { pointer in
                    WorkerPool.shared.run(
                        kernels.sumOfSquares, arguments: pointer, over: 0..<tiles, chunks: threads,
                        outputs: nil, outputStride: 0)
                }
                return partials.reduce(0, +)
            }
        }
        return sum.squareRoot()
    }

    /// Scales `gradients[ranges]` by `maxNorm / norm` when their global norm exceeds `maxNorm`
    /// (as `torch.nn.utils.clip_grad_norm_`) and returns the norm before clipping.
    ///
    /// A non-finite norm is returned as it is and the gradients are left untouched, so the
    /// caller sees the problem instead of a buffer scaled by NaN. A finite norm over the whole
    /// buffer (`ranges` nil) proves every gradient finite; the tensor remembers it until its next
    /// write, and the next optimizer step skips its own non-finite scan: in a clip-then-step
    /// loop the default check costs nothing.
    ///
    /// - Parameters:
    ///   - gradients: Clipped in place.
    ///   - maxNorm: Finite and > 0.
    ///   - ranges: The ranges to measure and scale (all of the buffer when nil).
    /// - Returns: The norm before clipping.
    /// - Throws: ``OptimizerError``, with nothing changed.
    @discardableResult
    public static func clipGlobalNorm(_ gradients: inout FlatTensor, maxNorm: Float, ranges: [Range<Int>]? = nil)
        throws -> Double
    {
        try Validate.positive("maxNorm", maxNorm)
        let norm = try globalNorm(gradients, ranges: ranges)
        guard norm.isFinite else { return norm }
        if norm > Double(maxNorm) {
            let factor = scale(maxNorm, norm)
            for range in try checked(ranges, count: gradients.count) {
                gradients.withUnsafeMutableBufferPointer {
                    multiply(UnsafeMutableBufferPointer(rebasing: $0[range]), by: factor)
                }
            }
        }
        if ranges == nil { gradients.isKnownFinite = true }
        return norm
    }

    /// Clips memory the caller owns (see ``clipGlobalNorm(_:maxNorm:ranges:)-(FlatTensor,_,_)``).
    ///
    /// - Parameters:
    ///   - gradients: Clipped in place.
    ///   - maxNorm: Finite and > 0.
    ///   - ranges: The ranges to measure and scale (all of the buffer when nil).
    /// - Returns: The norm before clipping.
    /// - Throws: ``OptimizerError``, with nothing changed.
    @discardableResult
    public static func clipGlobalNorm(
        _ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Float,
        ranges: [Range<Int>]? = nil
    ) throws -> Double {
        try Validate.positive("maxNorm", maxNorm)
        let norm = try globalNorm(UnsafeBufferPointer(gradients), ranges: ranges)
        if norm.isFinite, norm > Double(maxNorm) {
            let factor = scale(maxNorm, norm)
            for range in try checked(ranges, count: gradients.count) {
                multiply(UnsafeMutableBufferPointer(rebasing: gradients[range]), by: factor)
            }
        }
        return norm
    }

    /// `maxNorm / (norm + 1e-6)`, as PyTorch clips: below 1, so finite values stay finite.
    private static func scale(_ maxNorm: Float, _ norm: Double) -> Float { Float(Double(maxNorm) / (norm + 1e-6)) }

    private static func multiply(_ values: UnsafeMutableBufferPointer<Float>, by factor: Float) {
        guard let base = values.baseAddress else { return }
        let arguments = TensorArguments(destination: base, source: UnsafePointer(base), factor: factor)
        _ = runPass(InstructionSet.currentKernels.tensor(.scale), arguments, over: 0..<values.count)
    }

    /// `ranges` (the whole buffer when nil), each checked to lie inside `0..<count`.
    private static func checked(_ ranges: [Range<Int>]?, count: Int) throws -> [Range<Int>] {
        let ranges = ranges ?? [0..<count]
        for range in ranges where range.lowerBound < 0 || range.upperBound > count {
            throw OptimizerError.rangeOutOfBounds(range: range, count: count)
        }
        return ranges
    }
}
