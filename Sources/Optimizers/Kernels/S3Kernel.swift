/// The S3 update over raw buffers (see ``S3`` for the rule).
///
/// The second buffer holds the p-th root `r = s^(1/p)` of the p-th-order moment `s`, never `s`
/// itself: `|g|^p` leaves the float range long before `g` does (p = 4: above 4e9 or below 1e-10),
/// while `r` is a power mean of past `|g|` and stays within their range. The kernels compute
///
///     r' = (b2 r^p + (1 - b2) |g|^p)^(1/p)
///     b  = (b2 r'^p + (1 - b2) |g|^p)^(1/p)     (Nesterov; else b = r')
///
/// on inputs scaled by an exact power of two that brings `max(r, |g|)` into [1, 4), so no
/// intermediate over- or underflows and, wherever the unscaled formula is representable, the
/// result has the same bits as the unscaled formula.
enum S3Kernel {
    /// How `|g|^p` and its root are computed.
    enum Power: Equatable {
        /// p = 1: no powers or roots at all.
        case one
        /// p = 2, 3, 4: products, and `sqrt`, a Newton cube root, or `sqrt(sqrt)`.
        case two, three, four
        /// Any other p: `exp2(p log2 x)` with vector polynomials.
        case general

        init(_ p: Float) {
            switch p {
            case 1: self = .one
            case 2: self = .two
            case 3: self = .three
            case 4: self = .four
            default: self = .general
            }
        }
    }

    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var decay: Lanes            // 1 - lr * wd
        var learningRate: Lanes
        var epsilon: Lanes
        var beta1: Lanes, oneMinusBeta1: Lanes
        var beta2: Lanes, oneMinusBeta2: Lanes
        /// 0 when beta2 == 0 (the old root has no weight, so it must not set the scale), else 1.
        var rootWeight: Lanes
        var p: Lanes, inverseP: Lanes
        var nesterov: Bool
        var power: Power
        /// m and r as bfloat16 halves of one 32-bit slot in `m` (see ``S3BFloat16Moments``).
        var bfloat16: Bool

        init(learningRate: Float, weightDecay: Float, epsilon: Float, beta1: Float, beta2: Float,
             p: Float, nesterov: Bool, bfloat16: Bool = false) {
            decay = Lanes(repeating: 1 - learningRate * weightDecay)
            self.learningRate = Lanes(repeating: learningRate)
            self.epsilon = Lanes(repeating: epsilon)
            self.beta1 = Lanes(repeating: beta1)
            oneMinusBeta1 = Lanes(repeating: 1 - beta1)
            self.beta2 = Lanes(repeating: beta2)
            oneMinusBeta2 = Lanes(repeating: 1 - beta2)
            rootWeight = Lanes(repeating: beta2 == 0 ? 0 : 1)
            self.p = Lanes(repeating: p)
            inverseP = Lanes(repeating: 1 / p)
            self.nesterov = nesterov
            power = Power(p)
            self.bfloat16 = bfloat16
        }
    }

    /// Everything one S3 pass needs.
    struct Arguments {
        let c: Coefficients
        let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
        let m: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>
    }

    /// Runs the kernel for `c.power` and `c.nesterov` over `range`, across threads when the
    /// range is large; with `inverseLearningRate`, returns the statistics of the updates.
    @discardableResult
    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>, range: Range<Int>,
                       recordingWith inverseLearningRate: Float? = nil) -> PartialUpdateStatistics? {
        let arguments = Arguments(c: c, x: x, g: g, m: m, r: r)
        guard Parallelism.threadCount(for: range.count) == 1 else {
            return run(.s3(arguments), in: range, recordingWith: inverseLearningRate)
        }
        return updateSerially(arguments, range: range, recordingWith: inverseLearningRate)
    }

    /// Runs the kernel for `c.power` and `c.nesterov` over `range` on this thread; with
    /// `inverseLearningRate`, returns the statistics of the updates.
    static func updateSerially(_ a: Arguments, range: Range<Int>,
                               recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        switch a.c.power {
        case .one: update(PowerOne.self, a, range: range, recordingWith: inverseLearningRate)
        case .two: update(PowerTwo.self, a, range: range, recordingWith: inverseLearningRate)
        case .three: update(PowerThree.self, a, range: range, recordingWith: inverseLearningRate)
        case .four: update(PowerFour.self, a, range: range, recordingWith: inverseLearningRate)
        case .general: update(PowerGeneral.self, a, range: range, recordingWith: inverseLearningRate)
        }
    }

    private static func update<P: PowerMean>(_: P.Type, _ a: Arguments, range: Range<Int>,
                                             recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
        a.c.bfloat16 ? update(P.self, S3BFloat16Moments.self, a, range: range, recordingWith: inverseLearningRate)
            : update(P.self, Float32Moments.self, a, range: range, recordingWith: inverseLearningRate)
    }

    private static func update<P: PowerMean, S: MomentStorage>(
        _: P.Type, _: S.Type, _ a: Arguments, range: Range<Int>, recordingWith inverseLearningRate: Float?
    ) -> PartialUpdateStatistics? {
        a.c.nesterov
            ? runSerially(S3VectorKernel<P, NesterovOn, S>(c: a.c, x: a.x, g: a.g, m: a.m, r: a.r), in: range,
                          recordingWith: inverseLearningRate)
            : runSerially(S3VectorKernel<P, NesterovOff, S>(c: a.c, x: a.x, g: a.g, m: a.m, r: a.r), in: range,
                          recordingWith: inverseLearningRate)
    }
}

/// Whether S3 uses its Nesterov estimates, as a type so each kernel is compiled without the branch.
protocol NesterovMode { static var enabled: Bool { get } }
enum NesterovOn: NesterovMode { static var enabled: Bool { true } }
enum NesterovOff: NesterovMode { static var enabled: Bool { false } }

/// S3's bfloat16 storage (see ``S3``): `m` and `r` rounded to nearest (`r` capped at the
/// largest finite bfloat16 first), then the stored `m` clamped to `[-r, r]`, so float32
/// rounding and the cap cannot break `|m| <= r` by an ulp either.
enum S3BFloat16Moments: BFloat16PairStorage {
    @inline(__always)
    static func store(m: Lanes, r: Lanes, to mBuffer: UnsafeMutablePointer<Float>, _ rBuffer: UnsafeMutablePointer<Float>,
                      _ i: Int, lanes: Int, seed: LaneBits) {
        let storedRoot = BFloat16Pair.nearest(r.lanesMin(BFloat16Pair.largestFinite))
        let storedMoment = BFloat16Pair.nearest(m).lanesMin(storedRoot).lanesMax(-storedRoot)
        BFloat16Pair.store(high: storedMoment, low: storedRoot, to: mBuffer + i, lanes: lanes)
    }
}

/// S3's loop body for one way of taking powers, one Nesterov setting and one storage.
struct S3VectorKernel<P: PowerMean, Nesterov: NesterovMode, Storage: MomentStorage>: VectorKernel {
    let c: S3Kernel.Coefficients
    let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>

    var job: ParallelJob { .s3(S3Kernel.Arguments(c: c, x: x, g: g, m: m, r: r)) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        let nesterov = Nesterov.enabled
        let gi = Lanes(loading: g + i, lanes: lanes)
        let (stored, storedRoot) = Storage.load(m, r, i, lanes: lanes)
        let mi = c.beta1 * stored + c.oneMinusBeta1 * gi
        let numerator = nesterov ? c.beta1 * mi + c.oneMinusBeta1 * gi : mi
        let (ri, denominator) = P.means(root: storedRoot, magnitude: gi.magnitudes, c, nesterov: nesterov)
        let xi = Lanes(loading: x + i, lanes: lanes) * c.decay
            - c.learningRate * (numerator / (denominator + c.epsilon))
        Storage.store(m: mi, r: ri, to: m, r, i, lanes: lanes, seed: .zero)
        xi.store(to: x + i, lanes: lanes)
    }
}

/// The new stored root `r'` and the denominator `b` of one S3 step, for one way of taking powers.
protocol PowerMean {
    static func means(root r: Lanes, magnitude a: Lanes, _ c: S3Kernel.Coefficients, nesterov: Bool)
        -> (root: Lanes, denominator: Lanes)
}

/// p = 1: `s` is an average of `|g|` and is its own root; nothing can overflow.
enum PowerOne: PowerMean {
    @inline(__always)
    static func means(root r: Lanes, magnitude a: Lanes, _ c: S3Kernel.Coefficients, nesterov: Bool)
        -> (root: Lanes, denominator: Lanes) {
        let root = c.beta2 * r + c.oneMinusBeta2 * a
        return (root, nesterov ? c.beta2 * root + c.oneMinusBeta2 * a : root)
    }
}

/// Integer p in 2...4: powers by multiplication on power-of-two-scaled inputs.
protocol IntegerPowerMean: PowerMean {
    static func power(_ x: Lanes) -> Lanes
    static func root(_ x: Lanes) -> Lanes
}

extension IntegerPowerMean {
    @inline(__always)
    static func means(root r: Lanes, magnitude a: Lanes, _ c: S3Kernel.Coefficients, nesterov: Bool)
        -> (root: Lanes, denominator: Lanes) {
        let weighted = r * c.rootWeight
        let (down, up) = weighted.lanesMax(a).powerOfTwoScales
        let gradientTerm = c.oneMinusBeta2 * power(a * down)
        let mean = c.beta2 * power(weighted * down) + gradientTerm
        let root = root(mean) * up
        return (root, nesterov ? Self.root(c.beta2 * mean + gradientTerm) * up : root)
    }
}

enum PowerTwo: IntegerPowerMean {
    @inline(__always) static func power(_ x: Lanes) -> Lanes { x * x }
    @inline(__always) static func root(_ x: Lanes) -> Lanes { x.squareRoots() }
}

enum PowerThree: IntegerPowerMean {
    @inline(__always) static func power(_ x: Lanes) -> Lanes { x * x * x }
    @inline(__always) static func root(_ x: Lanes) -> Lanes { x.cubeRoots() }
}

enum PowerFour: IntegerPowerMean {
    @inline(__always) static func power(_ x: Lanes) -> Lanes { let x2 = x * x; return x2 * x2 }
    @inline(__always) static func root(_ x: Lanes) -> Lanes { x.squareRoots().squareRoots() }
}

/// Any p >= 1: everything relative to the larger of the two terms.
///
/// With `M = max(r, |g|)` and `t = (min(r, |g|) / M)^p = 2^(p log2(min / M))`, the mean is
/// `S = b2 u + (1 - b2) w` where the larger term's power is 1 and the smaller one's is `t`, so
/// `S` cannot overflow or underflow for any p; `r' = M S^(1/p)` and, with Nesterov,
/// `b = M (b2 S + (1 - b2) w)^(1/p)`. Three log2/exp2 pairs and one division per element.
enum PowerGeneral: PowerMean {
    @inline(__always)
    static func means(root r: Lanes, magnitude a: Lanes, _ c: S3Kernel.Coefficients, nesterov: Bool)
        -> (root: Lanes, denominator: Lanes) {
        let weighted = r * c.rootWeight
        let rootIsLarger = weighted .>= a
        let largest = a.replacing(with: weighted, where: rootIsLarger)
        let smallest = weighted.replacing(with: a, where: rootIsLarger)
        let empty = largest .== 0  // r = g = 0: the ratio below is 0 / 0
        let ratioPower = ((smallest / largest).log2s() * c.p).exp2s()
        let u = ratioPower.replacing(with: 1, where: rootIsLarger)
        let w = Lanes(repeating: 1).replacing(with: ratioPower, where: rootIsLarger)
        let gradientTerm = c.oneMinusBeta2 * w
        let mean = c.beta2 * u + gradientTerm
        var root = largest * (mean.log2s() * c.inverseP).exp2s()
        var denominator = nesterov ? largest * ((c.beta2 * mean + gradientTerm).log2s() * c.inverseP).exp2s() : root
        root.replace(with: 0, where: empty)
        denominator.replace(with: 0, where: empty)
        return (root, denominator)
    }
}
