#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The largest per-coordinate update of a "moment over root-moment" optimizer, from Hölder's
/// inequality; Theorems 1 and 2 of Peng et al. 2025 are its two instances.
///
/// After `t` steps, such an optimizer divides a weighted sum of past gradients by the p-th root
/// of a weighted sum of their p-th powers (`k` counts steps back, `g_k` is the gradient `k`
/// steps ago):
/// ```
/// u = (sum_k a_k g_k) / (sum_k w_k |g_k|^p)^(1/p)
/// ```
/// Hölder's inequality with `q = p / (p - 1)` gives, for every gradient sequence,
/// ```
/// |u| <= (sum_k (a_k / w_k^(1/p))^q)^(1/q)          (p > 1)
/// |u| <= max_k a_k / w_k                             (p = 1)
/// ```
/// with equality when `|g_k|` is proportional to `(a_k / w_k)^(1 / (p - 1))` (p > 1) and all
/// `g_k` share a sign; ``worstCaseGradients`` builds that sequence (oldest first).
///
/// - Adam (Theorem 1): `a_k = (1 - b1) b1^k`, `w_k = (1 - b2) b2^k`, `p = 2`; bias correction
///   multiplies the bound by `sqrt(1 - b2^t) / (1 - b1^t)`. As `t -> infinity` and for
///   `b1^2 < b2`: `(1 - b1) / sqrt((1 - b2)(1 - b1^2 / b2))`, about 7.27 at (0.9, 0.999). The
///   worst case is a same-sign gradient growing by `b2 / b1` per step.
/// - S3 (Theorem 2): the same with any `p >= 1`, `beta1` in `a_k` and `beta2` in `w_k` (with
///   Nesterov, the newest weight is `(1 - b)(1 + b)` and the k-th older one `(1 - b) b^(k+1)`).
///   When `beta1 == beta2` the bound is exactly 1 for every `p` and `t`-> infinity, approached
///   by a constant gradient.
public struct HolderBound: Sendable, Equatable {
    /// Weights of the numerator, newest first.
    public let numerator: [Double]
    /// Weights of the denominator's p-th moment, newest first.
    public let denominator: [Double]
    /// The order of the denominator's moment, >= 1.
    public let p: Double
    /// A constant factor applied to the update (Adam's bias correction), 1 otherwise.
    public let scale: Double

    public init(numerator: [Double], denominator: [Double], p: Double, scale: Double = 1) {
        precondition(numerator.count == denominator.count && p >= 1)
        (self.numerator, self.denominator, self.p, self.scale) = (numerator, denominator, p, scale)
    }

    /// The bound on `|u|` over all gradient sequences of this length.
    public var value: Double {
        // A step whose numerator weight is 0 contributes nothing (even where both weights
        // have underflowed to 0 in a very long history).
        let ratios = zip(numerator, denominator).map { a, w in a == 0 ? 0 : a / pow(w, 1 / p) }
        if p == 1 { return scale * (ratios.max() ?? 0) }
        let q = p / (p - 1)
        // Factor out the largest ratio so the q-th powers stay in range for any q.
        let largest = ratios.max() ?? 0
        guard largest > 0 else { return 0 }
        return scale * largest * pow(ratios.reduce(0) { $0 + pow($1 / largest, q) }, 1 / q)
    }

    /// The gradient sequence that attains the bound (Hölder's equality case), oldest first,
    /// scaled so its newest element is `newest`. For p = 1 it is a single non-zero gradient at
    /// the step with the largest `a_k / w_k`.
    public func worstCaseGradients(newest: Double = 1) -> [Double] {
        let ratios = zip(numerator, denominator).map { a, w in a == 0 ? 0 : a / w }
        var magnitudes: [Double]
        if p == 1 {
            let best = ratios.indices.max { ratios[$0] < ratios[$1] } ?? 0
            magnitudes = ratios.indices.map { $0 == best ? 1 : 0 }
        } else {
            // In log space, relative to the newest, so long sequences cannot overflow.
            let logs = ratios.map { log($0 / ratios[0]) / (p - 1) }
            magnitudes = logs.map { exp($0) }
        }
        let norm = magnitudes.first { $0 > 0 } ?? 1
        return magnitudes.reversed().map { newest * $0 / norm }
    }

    // MARK: The paper's instances

    /// Adam's update `m_hat / sqrt(v_hat)` after `steps` steps (Theorem 1), with or without
    /// bias correction.
    public static func adam(beta1: Double, beta2: Double, steps: Int, biasCorrection: Bool = true) -> HolderBound {
        let a = (0..<steps).map { (1 - beta1) * pow(beta1, Double($0)) }
        let w = (0..<steps).map { (1 - beta2) * pow(beta2, Double($0)) }
        let scale = biasCorrection ? (1 - pow(beta2, Double(steps))).squareRoot() / (1 - pow(beta1, Double(steps))) : 1
        return HolderBound(numerator: a, denominator: w, p: 2, scale: scale)
    }

    /// S3's update `n / b` after `steps` steps (Theorem 2), with separate coefficients allowed.
    public static func s3(beta1: Double, beta2: Double, p: Double, steps: Int, nesterov: Bool = true) -> HolderBound {
        HolderBound(
            numerator: emaWeights(beta1, steps: steps, nesterov: nesterov),
            denominator: emaWeights(beta2, steps: steps, nesterov: nesterov), p: p)
    }

    /// Weights of an exponential moving average (newest first); with `nesterov`, of
    /// `beta * m_t + (1 - beta) * g_t`.
    static func emaWeights(_ beta: Double, steps: Int, nesterov: Bool) -> [Double] {
        (0..<steps).map { k in
            if !nesterov { return (1 - beta) * pow(beta, Double(k)) }
            return k == 0 ? (1 - beta) * (1 + beta) : (1 - beta) * pow(beta, Double(k + 1))
        }
    }

    /// Theorem 1 as t -> infinity: `(1 - b1) / sqrt((1 - b2)(1 - b1^2 / b2))` for `b1^2 < b2`,
    /// infinity otherwise.
    public static func adamAsymptotic(beta1: Double, beta2: Double) -> Double {
        guard beta1 * beta1 < beta2 else { return .infinity }
        return (1 - beta1) / ((1 - beta2) * (1 - beta1 * beta1 / beta2)).squareRoot()
    }

    /// Theorem 2 as t -> infinity without Nesterov:
    /// `(1 - b1) / (1 - b2)^(1/p) * (1 - b1^q / b2^(q/p))^(-1/q)`, `q = p / (p - 1)`, for p > 1
    /// and `b1^q < b2^(q/p)` (infinity otherwise); `(1 - b1) / (1 - b2)` for p = 1 and b1 <= b2.
    /// Equals 1 when `b1 == b2`.
    public static func s3Asymptotic(beta1: Double, beta2: Double, p: Double) -> Double {
        if p == 1 { return beta1 <= beta2 ? (1 - beta1) / (1 - beta2) : .infinity }
        let q = p / (p - 1)
        let ratio = pow(beta1, q) / pow(beta2, q / p)
        guard ratio < 1 else { return .infinity }
        return (1 - beta1) / pow(1 - beta2, 1 / p) * pow(1 - ratio, -1 / q)
    }
}
