/// The AdamW update over raw buffers (see ``AdamW`` for the rule).
struct AdamWKernel: VectorKernel {
    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var decay: Lanes            // 1 - lr * wd
        var beta1: Lanes, oneMinusBeta1: Lanes
        var beta2: Lanes, oneMinusBeta2: Lanes
        var stepSize: Lanes         // lr / (1 - beta1^t)
        var inverseCorrection2: Lanes  // 1 / sqrt(1 - beta2^t)
        var epsilon: Lanes

        init(learningRate lr: Float, weightDecay wd: Float, beta1: Float, beta2: Float, epsilon: Float, step t: Int) {
            decay = Lanes(repeating: 1 - lr * wd)
            self.beta1 = Lanes(repeating: beta1)
            oneMinusBeta1 = Lanes(repeating: 1 - beta1)
            self.beta2 = Lanes(repeating: beta2)
            oneMinusBeta2 = Lanes(repeating: 1 - beta2)
            stepSize = Lanes(repeating: Float(Double(lr) / Scalars.biasCorrection(beta1, step: t)))
            inverseCorrection2 = Lanes(repeating: Float(1 / Scalars.biasCorrection(beta2, step: t).squareRoot()))
            self.epsilon = Lanes(repeating: epsilon)
        }
    }

    let c: Coefficients
    let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>

    var job: ParallelJob { .adamW(self) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        let gi = Lanes(loading: g + i, lanes: lanes)
        let mi = c.beta1 * Lanes(loading: m + i, lanes: lanes) + c.oneMinusBeta1 * gi
        let vi = c.beta2 * Lanes(loading: v + i, lanes: lanes) + c.oneMinusBeta2 * (gi * gi)
        let denominator = vi.squareRoots() * c.inverseCorrection2 + c.epsilon
        let xi = Lanes(loading: x + i, lanes: lanes) * c.decay - c.stepSize * (mi / denominator)
        mi.store(to: m + i, lanes: lanes)
        vi.store(to: v + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}
