/// Gradient clipping by global norm, over a whole buffer or some of its ranges (for instance the
/// ranges of a few ``ParameterGroups``).
public enum GradientClipping {
    /// The L2 norm of `gradients[ranges]` (all of it when `ranges` is nil); NaN or infinity
    /// when some element is.
    ///
    /// Squares are summed in float32 vector lanes over blocks of 256 elements and the blocks in
    /// double precision (relative error below 1e-5, typically 1e-7); a block whose float squares
    /// overflow (elements above about 1e19) is summed again in double precision, so finite
    /// gradients always give a finite norm.
    public static func globalNorm(_ gradients: FlatTensor, ranges: [Range<Int>]? = nil) -> Double {
        gradients.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var sum = 0.0
            for range in ranges ?? [buffer.indices] {
                precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "range \(range) out of bounds")
                sum += sumOfSquares(base, range)
            }
            return sum.squareRoot()
        }
    }

    static func sumOfSquares(_ values: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        let width = Lanes.scalarCount
        var total = 0.0
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + 256, range.upperBound)
            var lanes = Lanes.zero
            var index = start
            while index + width <= end {
                let v = Lanes(loading: values + index, lanes: width)
                lanes += v * v
                index += width
            }
            var block = Double(lanes.sum())
            for tail in index..<end { block += Double(values[tail]) * Double(values[tail]) }
            if block == .infinity {  // float squares overflowed: redo the block in double precision
                block = (start..<end).reduce(0.0) { $0 + Double(values[$1]) * Double(values[$1]) }
            }
            total += block
            start = end
        }
        return total
    }

    /// Scales `gradients[ranges]` by `maxNorm / norm` when their global norm exceeds `maxNorm`
    /// (as `torch.nn.utils.clip_grad_norm_`) and returns the norm before clipping.
    ///
    /// A non-finite norm is returned as it is and the gradients are left untouched, so the
    /// caller sees the problem instead of a buffer scaled by NaN. A finite norm over the whole
    /// buffer (`ranges` nil) proves every gradient finite; the buffer remembers it until its next
    /// write, and the next optimizer step skips its own non-finite scan: in a clip-then-step
    /// loop the default check costs nothing.
    @discardableResult
    public static func clipGlobalNorm(_ gradients: inout FlatTensor, maxNorm: Float,
                                      ranges: [Range<Int>]? = nil) throws -> Double {
        try Validate.positive("maxNorm", maxNorm)
        let norm = globalNorm(gradients, ranges: ranges)
        guard norm.isFinite else { return norm }
        if norm > Double(maxNorm) {
            let scale = Float(Double(maxNorm) / (norm + 1e-6))  // <= 1: finite values stay finite
            gradients.withUnsafeMutableBufferPointer { buffer in
                for range in ranges ?? [buffer.indices] {
                    for index in range { buffer[index] *= scale }
                }
            }
        }
        if ranges == nil { gradients.isKnownFinite = true }
        return norm
    }
}
