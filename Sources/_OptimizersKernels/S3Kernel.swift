import _OptimizersShims

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
    public init(
        decay: Float, learningRate: Float, epsilon: Float, beta1: Float, beta2: Float, p: Float,
        x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        r: UnsafeMutablePointer<Float>
    ) {
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
///
/// For p > 1 the roots are long chains of dependent operations (a cube root is about 80 cycles
/// of latency), more than the processor's scheduler can overlap across consecutive vectors. So
/// the kernel works on blocks of 256 elements held in L1, in three passes: the moments and the
/// scaled means, then the roots alone (a short loop whose iterations are independent), then the
/// ratio and the stores. Every element goes through the same operations either way, so the
/// results are the same bits; only the order in which elements are visited changes.
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

    /// Prefetches the cache line of every buffer at element `i`.
    @inlinable @inline(__always)
    func prefetch(_ i: Int) {
        optimizers_prefetch(x + i)
        optimizers_prefetch(g + i)
        optimizers_prefetch(m + i)
        optimizers_prefetch(r + i)
    }

    /// The first moment, the numerator and the means (lines 4 to 7 up to the roots) for the
    /// `lanes` elements at `i`.
    @inlinable @inline(__always)
    func prepare(at i: Int, lanes: Int) -> (
        decayed: Vector, moment: Vector, numerator: Vector, means: PowerMeans<Vector>
    ) {
        let decayed = Vector(loadingFrom: x + i, lanes: lanes) * c.decay
        let gi = Vector(loadingFrom: g + i, lanes: lanes)
        let (stored, storedRoot): (Vector, Vector) = Storage.load(m, r, at: i, lanes: lanes)
        let mi = c.beta1 * stored + c.oneMinusBeta1 * gi
        let numerator = Nesterov.isOn ? c.beta1 * mi + c.oneMinusBeta1 * gi : mi
        return (
            decayed, mi, numerator, Power.means(root: storedRoot, magnitude: gi.magnitudes, c, nesterov: Nesterov.isOn)
        )
    }

    /// Line 8 and the stores, from the decayed parameters, the moment, the numerator, and the
    /// means' roots.
    @inlinable @inline(__always)
    func finish(
        at i: Int, lanes: Int, decayed: Vector, moment mi: Vector, numerator: Vector, root: Vector,
        nesterovRoot: Vector, scale: Vector
    ) {
        let ri = root * scale
        let denominator = Nesterov.isOn ? nesterovRoot * scale : ri
        let ratio = (numerator / (denominator + c.epsilon)).lanesMin(c.bound).lanesMax(c.bound.negated)
        let xi = decayed - c.learningRate * ratio
        Storage.store(mi, ri, to: m, r, at: i, lanes: lanes, seed: Vector.Bits(repeating: 0))
        xi.store(to: x + i, lanes: lanes)
    }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let (decayed, mi, numerator, means) = prepare(at: i, lanes: lanes)
        let root = Power.root(means.mean, c), nesterovRoot = Nesterov.isOn ? Power.root(means.nesterovMean, c) : root
        finish(
            at: i, lanes: lanes, decayed: decayed, moment: mi, numerator: numerator, root: root,
            nesterovRoot: nesterovRoot,
            scale: means.scale)
    }

    @inlinable @inline(__always)
    public func run(over range: Range<Int>) {
        guard Power.rootsAreLong else { return runVectorByVector(over: range) }
        let width = Vector.laneCount, vectors = blockElements / width
        // Six vectors per block position, in this thread's scratch block (no allocation).
        precondition(6 * vectors * MemoryLayout<Vector>.stride <= Int(OPTIMIZERS_SCRATCH_BYTES))
        let moments = optimizers_thread_scratch()!.bindMemory(to: Vector.self, capacity: 6 * vectors)
        let numerators = moments + vectors, scales = numerators + vectors
        let means = scales + vectors, nesterovMeans = means + vectors, decayed = nesterovMeans + vectors
        /// Pass A for vector `v` of the block at `start`, `lanes` wide (a literal width for
        /// whole vectors, so that only the block's last vector takes the padded path).
        @inline(__always) func prepare(_ v: Int, _ start: Int, lanes: Int) {
            let prepared = self.prepare(at: start + v * width, lanes: lanes)
            (decayed[v], moments[v], numerators[v]) = (prepared.decayed, prepared.moment, prepared.numerator)
            scales[v] = prepared.means.scale
            (means[v], nesterovMeans[v]) = (prepared.means.mean, prepared.means.nesterovMean)
        }
        @inline(__always) func finish(_ v: Int, _ start: Int, lanes: Int) {
            self.finish(
                at: start + v * width, lanes: lanes, decayed: decayed[v], moment: moments[v],
                numerator: numerators[v], root: means[v],
                nesterovRoot: Nesterov.isOn ? nesterovMeans[v] : means[v], scale: scales[v])
        }
        var start = range.lowerBound
        while start < range.upperBound {
            let count = min(blockElements, range.upperBound - start)
            let whole = count / width, tail = count - whole * width
            for v in 0..<whole { prepare(v, start, lanes: width) }
            if tail > 0 { prepare(whole, start, lanes: tail) }
            // The roots have no memory accesses of their own: meanwhile, the next block's
            // lines are fetched (one per vector: a block has at least as many vectors as
            // 16-element lines), so that memory and arithmetic overlap.
            let next = start + count, lines = min(blockElements, range.upperBound - next) / 16
            for v in 0..<(whole + (tail > 0 ? 1 : 0)) {
                if v < lines { prefetch(next + 16 * v) }
                means[v] = Power.root(means[v], c)
                if Nesterov.isOn { nesterovMeans[v] = Power.root(nesterovMeans[v], c) }
            }
            for v in 0..<whole { finish(v, start, lanes: width) }
            if tail > 0 { finish(whole, start, lanes: tail) }
            start += count
        }
    }
}

/// S3's bfloat16 storage (see `S3`): `m` and `r` rounded to nearest (`r` capped at the
/// largest finite bfloat16 first), then the stored `m` clamped to `[-r, r]`, so float32
/// rounding and the cap cannot break `|m| <= r` by an ulp either.
public enum S3BFloat16Moments: BFloat16PairStorage {
    @inlinable @inline(__always)
    public static func store<V: FloatVector>(
        _ m: V, _ r: V, to firstBuffer: UnsafeMutablePointer<Float>,
        _ secondBuffer: UnsafeMutablePointer<Float>, at offset: Int,
        lanes: Int, seed: V.Bits
    ) {
        let root = BFloat16Pair.nearest(r.lanesMin(V(repeating: BFloat16Pair.largestFinite)))
        let moment = BFloat16Pair.nearest(m).lanesMin(root).lanesMax(root.negated)
        BFloat16Pair.store(high: moment, low: root, to: firstBuffer + offset, lanes: lanes)
    }
}

/// The two means of one S3 step, whose p-th roots times `scale` are the new stored root `r'`
/// and the denominator `b`: `mean = b2 r^p + (1 - b2) |g|^p` and, with Nesterov,
/// `nesterovMean = b2 mean + (1 - b2) |g|^p`, both scaled so that nothing over- or underflows.
public struct PowerMeans<V: FloatVector> {
    public var mean: V, nesterovMean: V, scale: V

    @inlinable @inline(__always)
    public init(mean: V, nesterovMean: V, scale: V) {
        (self.mean, self.nesterovMean, self.scale) = (mean, nesterovMean, scale)
    }
}

/// How S3 takes `|g|^p` and its root, for one p.
public protocol PowerMean {
    /// Whether the root is a long chain of dependent operations (the kernel then takes the
    /// roots of a block in a pass of their own).
    static var rootsAreLong: Bool { get }
    static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool) -> PowerMeans<
        V
    >
    /// `x^(1/p)` of a mean.
    static func root<V: FloatVector>(_ x: V, _ c: S3Coefficients<V>) -> V
}

/// p = 1: `s` is an average of `|g|` and is its own root; nothing can overflow.
public enum PowerOne: PowerMean {
    @inlinable public static var rootsAreLong: Bool { false }

    @inlinable @inline(__always)
    public static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> PowerMeans<V>
    {
        let mean = c.beta2 * r + c.oneMinusBeta2 * a
        return PowerMeans(
            mean: mean, nesterovMean: nesterov ? c.beta2 * mean + c.oneMinusBeta2 * a : mean, scale: V(repeating: 1))
    }

    @inlinable @inline(__always)
    public static func root<V: FloatVector>(_ x: V, _ c: S3Coefficients<V>) -> V { x }
}

/// Integer p in 2...4: powers by multiplication on inputs scaled by an exact power of two that
/// brings `max(r, |g|)` into [1, 2).
public protocol IntegerPowerMean: PowerMean {
    static func power<V: FloatVector>(_ x: V) -> V
    static func root<V: FloatVector>(_ x: V) -> V
}

extension IntegerPowerMean {
    /// Hardware square roots are short; the cube root is a long chain.
    @inlinable public static var rootsAreLong: Bool { Self.self == PowerThree.self }

    @inlinable @inline(__always)
    public static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> PowerMeans<V>
    {
        let weighted = r * c.rootWeight
        let (down, up) = weighted.lanesMax(a).powerOfTwoScales
        let gradientTerm = c.oneMinusBeta2 * power(a * down)
        let mean = c.beta2 * power(weighted * down) + gradientTerm
        return PowerMeans(mean: mean, nesterovMean: nesterov ? c.beta2 * mean + gradientTerm : mean, scale: up)
    }

    @inlinable @inline(__always)
    public static func root<V: FloatVector>(_ x: V, _ c: S3Coefficients<V>) -> V { root(x) }
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
    @inlinable @inline(__always) public static func power<V: FloatVector>(_ x: V) -> V {
        let x2 = x * x
        return x2 * x2
    }
    @inlinable @inline(__always) public static func root<V: FloatVector>(_ x: V) -> V { x.squareRoots().squareRoots() }
}

/// Any p >= 1: everything relative to the larger of the two terms.
///
/// With `M = max(r, |g|)` and `t = (min(r, |g|) / M)^p = 2^(p log2(min / M))`, the mean is
/// `S = b2 u + (1 - b2) w` where the larger term's power is 1 and the smaller one's is `t`, so
/// `S` cannot overflow or underflow for any p; `r' = M S^(1/p)` and, with Nesterov,
/// `b = M (b2 S + (1 - b2) w)^(1/p)`. Three log2/exp2 pairs and one division per element.
public enum PowerGeneral: PowerMean {
    @inlinable public static var rootsAreLong: Bool { true }

    @inlinable @inline(__always)
    public static func means<V: FloatVector>(root r: V, magnitude a: V, _ c: S3Coefficients<V>, nesterov: Bool)
        -> PowerMeans<V>
    {
        let weighted = r * c.rootWeight
        let rootIsLarger = a .<= weighted
        let largest = a.replacing(with: weighted, where: rootIsLarger)
        let smallest = weighted.replacing(with: a, where: rootIsLarger)
        let empty = largest .== .zero  // r = g = 0: the ratio below is 0 / 0; the scale 0 gives roots of 0
        let ratioPower = ((smallest / largest).log2s() * c.p).exp2s()
        let one = V(repeating: 1)
        let u = ratioPower.replacing(with: one, where: rootIsLarger)
        let w = one.replacing(with: ratioPower, where: rootIsLarger)
        let gradientTerm = c.oneMinusBeta2 * w
        let mean = (c.beta2 * u + gradientTerm).replacing(with: one, where: empty)
        let nesterovMean = nesterov ? (c.beta2 * mean + gradientTerm).replacing(with: one, where: empty) : mean
        return PowerMeans(mean: mean, nesterovMean: nesterovMean, scale: largest)
    }

    @inlinable @inline(__always)
    public static func root<V: FloatVector>(_ x: V, _ c: S3Coefficients<V>) -> V { (x.log2s() * c.inverseP).exp2s() }
}
