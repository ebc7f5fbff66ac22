/// The AdamW update over raw buffers (see ``AdamW`` for the rule).
enum AdamWKernel {
    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var decay: Lanes            // 1 - lr * wd
        var beta1: Lanes, oneMinusBeta1: Lanes
        var beta2: Lanes, oneMinusBeta2: Lanes
        var stepSize: Lanes         // lr / (1 - beta1^t)
        var inverseCorrection2: Lanes  // 1 / sqrt(1 - beta2^t)
        var epsilon: Lanes
        /// m and v as bfloat16 halves of one 32-bit slot in `m` (see ``AdamWBFloat16Moments``).
        var bfloat16: Bool
        /// Mixed into the rounding seed so that each step draws different bits.
        var salt: LaneBits

        init(learningRate lr: Float, weightDecay wd: Float, beta1: Float, beta2: Float, epsilon: Float, step t: Int,
             bfloat16: Bool = false) {
            decay = Lanes(repeating: 1 - lr * wd)
            self.beta1 = Lanes(repeating: beta1)
            oneMinusBeta1 = Lanes(repeating: 1 - beta1)
            self.beta2 = Lanes(repeating: beta2)
            oneMinusBeta2 = Lanes(repeating: 1 - beta2)
            stepSize = Lanes(repeating: Float(Double(lr) / Scalars.biasCorrection(beta1, step: t)))
            inverseCorrection2 = Lanes(repeating: Float(1 / Scalars.biasCorrection(beta2, step: t).squareRoot()))
            self.epsilon = Lanes(repeating: epsilon)
            self.bfloat16 = bfloat16
            salt = LaneBits(repeating: UInt32(truncatingIfNeeded: t) &* 0x9e37_79b9)
        }
    }

    /// Everything one AdamW pass needs.
    struct Arguments {
        let c: Coefficients
        let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
        let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    }

    /// Runs the kernel for `c.bfloat16` over `range`, across threads when the range is large;
    /// with `inverseLearningRate`, returns the statistics of the updates.
    static func update(_ a: Arguments, range: Range<Int>, recordingWith inverseLearningRate: Float?)
        -> PartialUpdateStatistics? {
        a.c.bfloat16
            ? forEachVectorInParallel(in: range, AdamWVectorKernel<AdamWBFloat16Moments>(a: a),
                                      recordingWith: inverseLearningRate)
            : forEachVectorInParallel(in: range, AdamWVectorKernel<Float32Moments>(a: a),
                                      recordingWith: inverseLearningRate)
    }

    /// The same on this thread (a worker's share).
    static func updateSerially(_ a: Arguments, range: Range<Int>, recordingWith inverseLearningRate: Float?)
        -> PartialUpdateStatistics? {
        a.c.bfloat16
            ? runSerially(AdamWVectorKernel<AdamWBFloat16Moments>(a: a), in: range, recordingWith: inverseLearningRate)
            : runSerially(AdamWVectorKernel<Float32Moments>(a: a), in: range, recordingWith: inverseLearningRate)
    }
}

/// AdamW's loop body for one storage of its moments.
struct AdamWVectorKernel<Storage: MomentStorage>: VectorKernel {
    let a: AdamWKernel.Arguments

    var job: ParallelJob { .adamW(a) }
    var x: UnsafeMutablePointer<Float> { a.x }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        let (c, x, g) = (a.c, a.x, a.g)
        let gi = Lanes(loading: g + i, lanes: lanes), xOld = Lanes(loading: x + i, lanes: lanes)
        let (stored, storedSecond) = Storage.load(a.m, a.v, i, lanes: lanes)
        let mi = c.beta1 * stored + c.oneMinusBeta1 * gi
        let vi = c.beta2 * storedSecond + c.oneMinusBeta2 * (gi * gi)
        let denominator = vi.squareRoots() * c.inverseCorrection2 + c.epsilon
        let xi = xOld * c.decay - c.stepSize * (mi / denominator)
        let seed = xOld.bitPatterns ^ (gi.bitPatterns &<< 7 | gi.bitPatterns &>> 25) ^ c.salt
        Storage.store(m: mi, r: vi, to: a.m, a.v, i, lanes: lanes, seed: seed)
        xi.store(to: x + i, lanes: lanes)
    }
}

/// AdamW's bfloat16 storage (see ``AdamW``): `m` and `v` rounded stochastically, with the bits
/// drawn from a hash of the element's parameter, gradient and step, so the rounding is the
/// same whatever the thread count or sharding, and a resumed run repeats it. Magnitudes are
/// capped at the largest finite bfloat16 first.
enum AdamWBFloat16Moments: BFloat16PairStorage {
    @inline(__always)
    static func store(m: Lanes, r v: Lanes, to mBuffer: UnsafeMutablePointer<Float>, _ vBuffer: UnsafeMutablePointer<Float>,
                      _ i: Int, lanes: Int, seed: LaneBits) {
        let bits = BFloat16Pair.mixed(seed), largest = BFloat16Pair.largestFinite
        let storedMoment = BFloat16Pair.dithered(m.lanesMin(largest).lanesMax(-largest), bits)
        let storedSecond = BFloat16Pair.dithered(v.lanesMin(largest), bits &>> 16)
        BFloat16Pair.store(high: storedMoment, low: storedSecond, to: mBuffer + i, lanes: lanes)
    }
}
