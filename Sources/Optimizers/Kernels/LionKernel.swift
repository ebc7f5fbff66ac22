/// The Lion update over raw buffers (see ``Lion`` for the rule).
enum LionKernel {
    /// The per-step scalars of the update.
    struct Coefficients {
        var decay: Float            // 1 - lr * wd
        var learningRate: Float
        var beta1: Float, oneMinusBeta1: Float
        var beta2: Float, oneMinusBeta2: Float
    }

    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count: count) { i, lanes in
            let gi = Lanes(loading: g + i, lanes: lanes)
            let m0 = Lanes(loading: m + i, lanes: lanes)
            let interpolation = c.beta1 * m0 + c.oneMinusBeta1 * gi
            let xi = Lanes(loading: x + i, lanes: lanes) * c.decay - c.learningRate * interpolation.signs
            let mi = c.beta2 * m0 + c.oneMinusBeta2 * gi
            mi.store(to: m + i, lanes: lanes)
            xi.store(to: x + i, lanes: lanes)
        }
    }
}
