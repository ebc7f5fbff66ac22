/// What one AdamW pass needs (see `AdamW` for the rule).
public struct AdamWArguments {
    /// 1 - lr * wd.
    public var decay: Float
    public var beta1: Float, beta2: Float
    /// lr / (1 - beta1^t).
    public var stepSize: Float
    /// 1 / sqrt(1 - beta2^t).
    public var inverseCorrection2: Float
    public var epsilon: Float
    /// Mixed into the bfloat16 rounding bits so that each step draws different ones.
    public var salt: UInt32
    public var x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    /// The first moment; with bfloat16 moments, both moments as packed pairs.
    public var m: UnsafeMutablePointer<Float>
    /// The second moment (unused with bfloat16 moments).
    public var v: UnsafeMutablePointer<Float>
    /// AMSGrad's running maximum of the second moment (unused without AMSGrad).
    public var maximum: UnsafeMutablePointer<Float>

    @inlinable
    public init(
        decay: Float, beta1: Float, beta2: Float, stepSize: Float, inverseCorrection2: Float, epsilon: Float,
        salt: UInt32, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, maximum: UnsafeMutablePointer<Float>
    ) {
        (self.decay, self.beta1, self.beta2, self.stepSize) = (decay, beta1, beta2, stepSize)
        (self.inverseCorrection2, self.epsilon, self.salt) = (inverseCorrection2, epsilon, salt)
        (self.x, self.g, self.m, self.v, self.maximum) = (x, g, m, v, maximum)
    }
}

/// AdamW's loop body for one storage of its moments, with or without AMSGrad.
public struct AdamWKernel<Vector: FloatVector, Storage: MomentStorage, AMSGrad: StaticFlag>: ElementwiseKernel {
    @usableFromInline let decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, inverseCorrection2,
        epsilon: Vector
    @usableFromInline let salt: Vector.Bits
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    @usableFromInline let m, v, maximum: UnsafeMutablePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: AdamWArguments) {
        decay = Vector(repeating: a.decay)
        beta1 = Vector(repeating: a.beta1)
        oneMinusBeta1 = Vector(repeating: 1 - a.beta1)
        beta2 = Vector(repeating: a.beta2)
        oneMinusBeta2 = Vector(repeating: 1 - a.beta2)
        stepSize = Vector(repeating: a.stepSize)
        inverseCorrection2 = Vector(repeating: a.inverseCorrection2)
        epsilon = Vector(repeating: a.epsilon)
        salt = Vector.Bits(repeating: a.salt)
        (x, g, m, v, maximum) = (a.x, a.g, a.m, a.v, a.maximum)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let gi = Vector(loadingFrom: g + i, lanes: lanes), xOld = Vector(loadingFrom: x + i, lanes: lanes)
        let (storedFirst, storedSecond): (Vector, Vector) = Storage.load(m, v, at: i, lanes: lanes)
        let mi = beta1 * storedFirst + oneMinusBeta1 * gi
        let vi = beta2 * storedSecond + oneMinusBeta2 * (gi * gi)
        var largest = vi
        if AMSGrad.isOn {
            largest = Vector(loadingFrom: maximum + i, lanes: lanes).lanesMax(vi)
            largest.store(to: maximum + i, lanes: lanes)
        }
        let denominator = largest.squareRoots() * inverseCorrection2 + epsilon
        let xi = xOld * decay - stepSize * (mi / denominator)
        let gradientBits = gi.bitPatterns
        let seed = xOld.bitPatterns ^ ((gradientBits &<< 7) | (gradientBits &>> 25)) ^ salt
        Storage.store(mi, vi, to: m, v, at: i, lanes: lanes, seed: seed)
        xi.store(to: x + i, lanes: lanes)
    }
}

/// AdamW's bfloat16 storage (see `AdamW`): `m` and `v` rounded stochastically, with the bits
/// drawn from a hash of the element's parameter, gradient and step, so the rounding is the
/// same whatever the thread count or sharding, and a resumed run repeats it. Magnitudes are
/// capped at the largest finite bfloat16 first.
public enum AdamWBFloat16Moments: BFloat16PairStorage {
    @inlinable @inline(__always)
    public static func store<V: FloatVector>(
        _ m: V, _ v: V, to firstBuffer: UnsafeMutablePointer<Float>,
        _ secondBuffer: UnsafeMutablePointer<Float>, at offset: Int,
        lanes: Int, seed: V.Bits
    ) {
        let bits = BFloat16Pair.mixed(seed), largest = V(repeating: BFloat16Pair.largestFinite)
        let moment = BFloat16Pair.dithered(m.lanesMin(largest).lanesMax(largest.negated), bits)
        let second = BFloat16Pair.dithered(v.lanesMin(largest), bits &>> 16)
        BFloat16Pair.store(high: moment, low: second, to: firstBuffer + offset, lanes: lanes)
    }
}
