/// How an optimizer stores its two moment buffers between steps (``S3`` and ``AdamW``). Every
/// step computes in float32 either way.
public enum MomentPrecision: String, Sendable, Equatable, Codable {
    /// Two float32 buffers, 8 bytes per parameter: the reference rule to float32 rounding.
    case float32
    /// Both moments rounded to bfloat16 (float32's exponent range, 8 significant bits) and
    /// packed into one 32-bit slot per parameter, the first moment in the high half (so the
    /// slot, read as a float, is the first moment to within 2^-8): 4 bytes per parameter. The
    /// second state buffer is empty. How each optimizer rounds is in its documentation; the
    /// results are not bit-compatible with `.float32`. bfloat16 rather than IEEE Float16,
    /// whose range ends at 6e-5 (normal) and 6e-8 (subnormal), where moments of small
    /// gradients live, and whose conversions the default x86-64 build does in software.
    case bfloat16
}
