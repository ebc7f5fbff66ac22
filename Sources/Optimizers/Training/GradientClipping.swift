/// Gradient clipping by global norm, over a whole buffer or some of its ranges (for instance the
/// ranges of a few ``ParameterGroups``).
public enum GradientClipping {
    /// The L2 norm of `gradients[ranges]` (all of it when `ranges` is nil), accumulated in
    /// double precision so it neither overflows nor loses the small elements; NaN or infinity
    /// when some element is.
    public static func globalNorm(_ gradients: FlatTensor, ranges: [Range<Int>]? = nil) -> Double {
        gradients.withUnsafeBufferPointer { buffer in
            var sum = 0.0
            for range in ranges ?? [buffer.indices] {
                precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "range \(range) out of bounds")
                for value in buffer[range] {
                    let x = Double(value)
                    sum += x * x
                }
            }
            return sum.squareRoot()
        }
    }

    /// Scales `gradients[ranges]` by `maxNorm / norm` when their global norm exceeds `maxNorm`
    /// (as `torch.nn.utils.clip_grad_norm_`) and returns the norm before clipping.
    ///
    /// A non-finite norm is returned as it is and the gradients are left untouched, so the
    /// caller sees the problem instead of a buffer scaled by NaN. A finite norm also certifies
    /// that every gradient in the ranges is finite: a caller may then set the optimizer's
    /// ``GradientCheck`` to `.assumeFinite` for that step and save its scan.
    @discardableResult
    public static func clipGlobalNorm(_ gradients: inout FlatTensor, maxNorm: Float,
                                      ranges: [Range<Int>]? = nil) throws -> Double {
        try Validate.positive("maxNorm", maxNorm)
        let norm = globalNorm(gradients, ranges: ranges)
        guard norm.isFinite, norm > Double(maxNorm) else { return norm }
        let scale = Float(Double(maxNorm) / (norm + 1e-6))
        gradients.withUnsafeMutableBufferPointer { buffer in
            for range in ranges ?? [buffer.indices] {
                for index in range { buffer[index] *= scale }
            }
        }
        return norm
    }
}
