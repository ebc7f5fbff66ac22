/// What one S3 pass needs (see `S3` for the rule).
///
/// The second buffer holds the p-th root `r = s^(1/p)` of the p-th-order moment `s`, never `s`
/// itself: `|g|^p` leaves the float range long before `g` does (p = 4: above 4e9 or below
/// 1e-10), while `r` is a power mean of past `|g|` and stays within their range. The kernels
/// compute
///
///     r' = (b2 r^p + (1 - b2) |g|^p)^(1/p)
///     b  = (b2 r'^p + (1 - b2) |g|^p)^(1/p)     (Nesterov; else b = r')
///
/// on inputs scaled by an exact power of two that brings `max(r, |g|)` into [1, 2), so no
/// intermediate over- or underflows and, wherever the unscaled formula is representable, the
/// result has the same bits as the unscaled formula.
public struct S3Arguments {
    /// 1 - lr * wd.
    public var decay: Float
    public var learningRate: Float
    public var epsilon: Float
    public var beta1: Float, beta2: Float
    public var p: Float
    /// The largest `|n / (b + eps)|` allowed: 1 with one coefficient (Theorem 2), infinity
    /// with separate ones (the ablation, whose steps may exceed the learning rate).
    public var bound: Float
    public var x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    /// The first moment; with bfloat16 moments, `m` and `r` as packed pairs.
    public var m: UnsafeMutablePointer<Float>
    /// The root `r` of the p-th moment (unused with bfloat16 moments).
    public var r: UnsafeMutablePointer<Float>

    @inlinable
    public init(decay: Float, learningRate: Float, epsilon: Float, beta1: Float, beta2: Float, p: Float,
                x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                r: UnsafeMutablePointer<Float>) {
        (self.decay, self.learningRate, self.epsilon, self.beta1, self.beta2, self.p) =
            (decay, learningRate, epsilon, beta1, beta2, p)
        bound = beta1 == beta2 ? 1 : .infinity
        (self.x, self.g, self.m, self.r) = (x, g, m, r)
    }
}

/// S3's per-step scalars, broadcast to vectors.
public struct S3Coefficients<Vector: FloatVector> {
    public let decay, learningRate, epsilon, beta1, oneMinusBeta1, beta2, oneMinusBeta2: Vector
    /// 0 when beta2 == 0 (the old root has no weight, so it must not set the scale), else 1.
    public let rootWeight: Vector
    public let p, inverseP: Vector
    public let bound: Vector

    @inlinable @inline(__always)
    public init(_ a: S3Arguments) {
        decay = Vector(repeating: a.decay)
        learningRate = Vector(repeating: a.learningRate)
        epsilon = Vector(repeating: a.epsilon)
        beta1 = Vector(repeating: a.beta1)
        oneMinusBeta1 = Vector(repeating: 1 - a.beta1)
        beta2 = Vector(repeating: a.beta2)
        oneMinusBeta2 = Vector(repeating: 1 - a.beta2)
        rootWeight = Vector(repeating: a.beta2 == 0 ? 0 : 1)
        p = Vector(repeating: a.p)
        inverseP = Vector(repeating: 1 / a.p)
        bound = Vector(repeating: a.bound)
    }
}

/// S3's loop body for one way of taking powers, one Nesterov setting and one storage.
///
/// With one coefficient the ratio `q = n / (b + eps)` is clamped to [-1, 1]. In exact arithmetic
/// `|n| <= b` always (Theorem 2), so the clamp changes nothing; in float32 the two sides are
/// rounded separately and `|q|` can exceed 1 by a few ulps, and by much more for subnormal
/// gradients, where float32 keeps only a few significant bits (without the clamp, 1.7e-44 with
/// `eps` 1e-45 moved 1.11 learning rates). With it, every step is within `lr` for every finite
/// input. With separate coefficients (the ablation) there is no such bound and no clamp.
public struct S3Kernel<Vector: FloatVector, Power: PowerMean, Nesterov: StaticFlag, Storage: MomentStorage>:
    ElementwiseKernel
{
    @usableFromInline let c: S3Coefficients<Vector>
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    @usableFromInline let m: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: S3Arguments) {
        c = S3Coefficients(a)
        (x, g, m, r) = (a.x, a.g, a.m, a.r)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let gi = Vector(loadingFrom: g + i, lanes: lanes)
        let (stored, storedRoot): (Vector, Vector) = Storage.load(m, r, at: i, lanes: lanes)
        let mi = c.beta1 * stored + c.oneMinusBeta1 * gi
        let numerator = Nesterov.isOn ? c.beta1 * mi + c.oneMinusBeta1 * gi : mi
        let (ri, denominator) = Power.means(root: storedRoot, magnitude: gi.magnitudes, c, nesterov: Nesterov.isOn)
        let ratio = (numerator / (denominator + c.epsilon)).lanesMin(c.bound).lanesMax(c.bound.negated)
        let xi = Vector(loadingFrom: x + i, lanes: lanes) * c.decay - c.learningRate * ratio
        Storage.store(mi, ri, to: m, r, at: i, lanes: lanes, seed: Vector.Bits(repeating: 0))
        xi.store(to: x + i, lanes: lanes)
    }
}

/// S3's bfloat16 storage (see `S3`): `m` and `r` rounded to nearest (`r` capped at the
/// largest finite bfloat16 first), then the stored `m` clamped to `[-r, r]`, so float32
/// rounding and the cap cannot break `|m| <= r` by an ulp either.
public enum S3BFloat16Moments: BFloat16PairStorage {
    @inlinable @inline(__always)
    public static func store<V: FloatVector>(_ m: V, _ r: V, to firstBuffer: UnsafeMutablePointer<Float>,
                                             _ secondBuffer: UnsafeMutablePointer<Float>, at offset: Int,
                                             lanes: Int, seed: V.Bits) {
        let root = BFloat16Pair.nearest(r.lanesMin(V(repeating: BFloat16Pair.largestFinite)))
        let moment = BFloat16Pair.nearest(m).lanesMin(root).lanesMax(root.negated)
        BFloat16Pair.store(high: moment, low: root, to: firstBuffer + offset, lanes: lanes)
    }
}

/// The new stored root `r'` and the denominator `b` of one S3 step, for one way of taking powers.
public protocol PowerMean {
    static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> (root: V, denominator: V)
}

/// p = 1: `s` is an average of `|g|` and is its own root; nothing can overflow.
public enum PowerOne: PowerMean {
    @inlinable @inline(__always)
    public static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> (root: V, denominator: V) {
        let root = c.beta2 * r + c.oneMinusBeta2 * a
        return (root, nesterov ? c.beta2 * root + c.oneMinusBeta2 * a : root)
    }
}

/// Integer p in 2...4: powers by multiplication on power-of-two-scaled inputs.
public protocol IntegerPowerMean: PowerMean {
    static func power<V: FloatVector>(_ x: V) -> V
    static func root<V: FloatVector>(_ x: V) -> V
}

extension IntegerPowerMean {
    @inlinable @inline(__always)
    public static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> (root: V, denominator: V) {
        let weighted = r * c.rootWeight
        let (down, up) = weighted.lanesMax(a).powerOfTwoScales
        let gradientTerm = c.oneMinusBeta2 * power(a * down)
        let mean = c.beta2 * power(weighted * down) + gradientTerm
        let root = root(mean) * up
        return (root, nesterov ? Self.root(c.beta2 * mean + gradientTerm) * up : root)
    }
}

public enum PowerTwo: IntegerPowerMean {
    @inlinable @inline(__always) public static func power<V: FloatVector>(_ x: V) -> V { x * x }
    @inlinable @inline(__always) public static func root<V: FloatVector>(_ x: V) -> V { x.squareRoots() }
}

public enum PowerThree: IntegerPowerMean {
    @inlinable @inline(__always) public static func power<V: FloatVector>(_ x: V) -> V { x * x * x }
    @inlinable @inline(__always) public static func root<V: FloatVector>(_ x: V) -> V { x.cubeRoots() }
}

public enum PowerFour: IntegerPowerMean {
    @inlinable @inline(__always) public static func power<V: FloatVector>(_ x: V) -> V { let x2 = x * x; return x2 * x2 }
    @inlinable @inline(__always) public static func root<V: FloatVector>(_ x: V) -> V { x.squareRoots().squareRoots() }
}

/// Any p >= 1: everything relative to the larger of the two terms.
///
/// With `M = max(r, |g|)` and `t = (min(r, |g|) / M)^p = 2^(p log2(min / M))`, the mean is
/// `S = b2 u + (1 - b2) w` where the larger term's power is 1 and the smaller one's is `t`, so
/// `S` cannot overflow or underflow for any p; `r' = M S^(1/p)` and, with Nesterov,
/// `b = M (b2 S + (1 - b2) w)^(1/p)`. Three log2/exp2 pairs and one division per element.
public enum PowerGeneral: PowerMean {
    @inlinable @inline(__always)
    public static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> (root: V, denominator: V) {
        let weighted = r * c.rootWeight
        let rootIsLarger = a .<= weighted
        let largest = a.replacing(with: weighted, where: rootIsLarger)
        let smallest = weighted.replacing(with: a, where: rootIsLarger)
        let empty = largest .== .zero  // r = g = 0: the ratio below is 0 / 0
        let ratioPower = ((smallest / largest).log2s() * c.p).exp2s()
        let one = V(repeating: 1)
        let u = ratioPower.replacing(with: one, where: rootIsLarger)
        let w = one.replacing(with: ratioPower, where: rootIsLarger)
        let gradientTerm = c.oneMinusBeta2 * w
        let mean = c.beta2 * u + gradientTerm
        var root = largest * (mean.log2s() * c.inverseP).exp2s()
        var denominator = nesterov ? largest * ((c.beta2 * mean + gradientTerm).log2s() * c.inverseP).exp2s() : root
        root.replace(with: 0, where: empty)
        denominator.replace(with: 0, where: empty)
        return (root, denominator)
    }
}
