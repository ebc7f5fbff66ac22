#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bound and the observed maximum of Adam and S3 over a grid of coefficients.
public enum Sweep {
    public struct Row: Sendable {
        public let beta1: Double, beta2: Double
        /// Theorem 1 as t -> infinity (infinity when b1^2 >= b2).
        public let adamAsymptotic: Double
        /// Adam's constructed worst case on the real AdamW (bias-corrected bound at its length).
        public let adam: BoundCheck
        /// S3 (Nesterov, `beta1` for the numerator, `beta2` for the denominator) for each p.
        public let s3: [(p: Double, check: BoundCheck)]
    }

    /// One row per (beta1, beta2), the worst cases run on the real optimizers for up to `steps` steps.
    public static func run(beta1s: [Double], beta2s: [Double], ps: [Double], steps: Int = 1000) throws -> [Row] {
        try beta1s.flatMap { b1 in
            try beta2s.map { b2 in
                let adamSteps = worstCaseSteps(beta1: b1, beta2: b2, p: 2, maximum: steps)
                let adam = try Checks.constructedWorstCase(
                    "Adam", probe: .adam(beta1: Float(b1), beta2: Float(b2)),
                    bound: .adam(beta1: b1, beta2: b2, steps: adamSteps))
                let s3 = try ps.map { p in
                    let t = worstCaseSteps(beta1: b1, beta2: b2, p: p, maximum: steps)
                    let check = try Checks.constructedWorstCase(
                        "S3 p=\(p)", probe: .s3(beta1: Float(b1), beta2: Float(b2), p: Float(p)),
                        bound: .s3(beta1: b1, beta2: b2, p: p, steps: t))
                    return (p, check)
                }
                return Row(
                    beta1: b1, beta2: b2, adamAsymptotic: HolderBound.adamAsymptotic(beta1: b1, beta2: b2),
                    adam: adam, s3: s3)
            }
        }
    }

    /// The longest worst-case sequence (up to `maximum`) that float32 can carry through the
    /// optimizers: when `b1 > b2` the worst case grows towards the past, by
    /// `(b1 / b2)^(1 / (p - 1))` per step, and the oldest terms' weights shrink like `b2^t`; both
    /// ranges are kept within 1e25 (beyond, Adam's `v` underflows and the measurement is wrong).
    static func worstCaseSteps(beta1: Double, beta2: Double, p: Double, maximum: Int) -> Int {
        guard beta1 > beta2 else { return maximum }
        let limit = 25 * log(10.0)
        var steps = Int(limit / -log(beta2))
        if p > 1 { steps = min(steps, Int(limit / (p * log(beta1 / beta2) / (p - 1)))) }
        return max(2, min(maximum, steps))
    }
}
