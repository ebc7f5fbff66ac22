/// The NAdam update over raw buffers (see ``NAdam`` for the rule).
struct NAdamKernel: VectorKernel {
    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var decay: Lanes            // 1 - lr * wd when decoupled, else 1
        var coupledDecay: Lanes     // wd when coupled, else 0
        var beta1: Lanes, oneMinusBeta1: Lanes
        var beta2: Lanes, oneMinusBeta2: Lanes
        var inverseCorrection2: Lanes  // 1 / sqrt(1 - beta2^t)
        var gradientStep: Lanes     // lr (1 - mu_t) / (1 - P_t)
        var momentumStep: Lanes     // lr mu_{t+1} / (1 - P_t mu_{t+1})
        var epsilon: Lanes

        init(decay: Float, coupledDecay: Float, beta1: Float, oneMinusBeta1: Float, beta2: Float,
             oneMinusBeta2: Float, inverseCorrection2: Float, gradientStep: Float, momentumStep: Float,
             epsilon: Float) {
            self.decay = Lanes(repeating: decay)
            self.coupledDecay = Lanes(repeating: coupledDecay)
            self.beta1 = Lanes(repeating: beta1)
            self.oneMinusBeta1 = Lanes(repeating: oneMinusBeta1)
            self.beta2 = Lanes(repeating: beta2)
            self.oneMinusBeta2 = Lanes(repeating: oneMinusBeta2)
            self.inverseCorrection2 = Lanes(repeating: inverseCorrection2)
            self.gradientStep = Lanes(repeating: gradientStep)
            self.momentumStep = Lanes(repeating: momentumStep)
            self.epsilon = Lanes(repeating: epsilon)
        }
    }

    let c: Coefficients
    let x: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>

    var job: ParallelJob { .nAdam(self) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        let x0 = Lanes(loading: x + i, lanes: lanes)
        let gi = Lanes(loading: g + i, lanes: lanes) + c.coupledDecay * x0
        let mi = c.beta1 * Lanes(loading: m + i, lanes: lanes) + c.oneMinusBeta1 * gi
        let vi = c.beta2 * Lanes(loading: v + i, lanes: lanes) + c.oneMinusBeta2 * (gi * gi)
        let denominator = vi.squareRoots() * c.inverseCorrection2 + c.epsilon
        let xi = x0 * c.decay - c.gradientStep * (gi / denominator) - c.momentumStep * (mi / denominator)
        mi.store(to: m + i, lanes: lanes)
        vi.store(to: v + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}
