// Per-step scalar arithmetic (bias corrections, NAdam's momentum schedule), done in double
// precision once per step, as the reference implementations do in Python.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

enum Scalars {
    /// `base^exponent` in double precision.
    static func power(_ base: Double, _ exponent: Double) -> Double {
        pow(base, exponent)
    }

    /// `1 - beta^t`, the bias-correction divisor after `t` steps.
    static func biasCorrection(_ beta: Float, step t: Int) -> Double {
        1 - pow(Double(beta), Double(t))
    }
}
