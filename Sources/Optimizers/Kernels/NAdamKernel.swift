/// The NAdam update over raw buffers (see ``NAdam`` for the rule).
enum NAdamKernel {
    /// The per-step scalars of the update.
    struct Coefficients {
        var decay: Float            // 1 - lr * wd when decoupled, else 1
        var coupledDecay: Float     // wd when coupled, else 0
        var beta1: Float, oneMinusBeta1: Float
        var beta2: Float, oneMinusBeta2: Float
        var inverseCorrection2: Float  // 1 / (1 - beta2^t)
        var gradientStep: Float     // lr (1 - mu_t) / (1 - P_t)
        var momentumStep: Float     // lr mu_{t+1} / (1 - P_t mu_{t+1})
        var epsilon: Float
    }

    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count: count) { i, lanes in
            let x0 = Lanes(loading: x + i, lanes: lanes)
            let gi = Lanes(loading: g + i, lanes: lanes) + c.coupledDecay * x0
            let mi = c.beta1 * Lanes(loading: m + i, lanes: lanes) + c.oneMinusBeta1 * gi
            let vi = c.beta2 * Lanes(loading: v + i, lanes: lanes) + c.oneMinusBeta2 * (gi * gi)
            let denominator = (vi * c.inverseCorrection2).squareRoots() + c.epsilon
            let xi = x0 * c.decay - (c.gradientStep * gi + c.momentumStep * mi) / denominator
            mi.store(to: m + i, lanes: lanes)
            vi.store(to: v + i, lanes: lanes)
            xi.store(to: x + i, lanes: lanes)
        }
    }
}
