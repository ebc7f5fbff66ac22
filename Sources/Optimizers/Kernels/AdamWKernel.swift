/// The AdamW update over raw buffers (see ``AdamW`` for the rule).
enum AdamWKernel {
    /// The per-step scalars of the update.
    struct Coefficients {
        var decay: Float            // 1 - lr * wd
        var beta1: Float, oneMinusBeta1: Float
        var beta2: Float, oneMinusBeta2: Float
        var stepSize: Float         // lr / (1 - beta1^t)
        var inverseCorrection2: Float  // 1 / sqrt(1 - beta2^t)
        var epsilon: Float

        init(learningRate lr: Float, weightDecay wd: Float, beta1: Float, beta2: Float, epsilon: Float, step t: Int) {
            decay = 1 - lr * wd
            self.beta1 = beta1
            oneMinusBeta1 = 1 - beta1
            self.beta2 = beta2
            oneMinusBeta2 = 1 - beta2
            stepSize = Float(Double(lr) / Scalars.biasCorrection(beta1, step: t))
            inverseCorrection2 = Float(1 / Scalars.biasCorrection(beta2, step: t).squareRoot())
            self.epsilon = epsilon
        }
    }

    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count: count) { i, lanes in
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
}
