/// The Adan update over raw buffers (see ``Adan`` for the rule).
enum AdanKernel {
    /// The per-step scalars of the update.
    struct Coefficients {
        var decay: Float            // 1 - lr * wd when decoupled, else 1
        var proximal: Float         // 1 / (1 + lr * wd) when not decoupled, else 1
        var differenceScale: Float  // 0 on the first step (the previous gradient is the gradient), else 1
        var beta1: Float, oneMinusBeta1: Float
        var beta2: Float, oneMinusBeta2: Float
        var beta3: Float, oneMinusBeta3: Float
        var inverseCorrection3: Float  // 1 / sqrt(1 - beta3^t)
        var momentumStep: Float     // lr / (1 - beta1^t)
        var differenceStep: Float   // lr * beta2 / (1 - beta2^t)
        var epsilon: Float
    }

    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, d: UnsafeMutablePointer<Float>,
                       n: UnsafeMutablePointer<Float>, previous: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count: count) { i, lanes in
            let gi = Lanes(loading: g + i, lanes: lanes)
            let difference = (gi - Lanes(loading: previous + i, lanes: lanes)) * c.differenceScale
            let mi = c.beta1 * Lanes(loading: m + i, lanes: lanes) + c.oneMinusBeta1 * gi
            let di = c.beta2 * Lanes(loading: d + i, lanes: lanes) + c.oneMinusBeta2 * difference
            let u = gi + c.beta2 * difference
            let ni = c.beta3 * Lanes(loading: n + i, lanes: lanes) + c.oneMinusBeta3 * (u * u)
            let denominator = ni.squareRoots() * c.inverseCorrection3 + c.epsilon
            let step = (c.momentumStep * mi + c.differenceStep * di) / denominator
            let xi = (Lanes(loading: x + i, lanes: lanes) * c.decay - step) * c.proximal
            mi.store(to: m + i, lanes: lanes)
            di.store(to: d + i, lanes: lanes)
            ni.store(to: n + i, lanes: lanes)
            gi.store(to: previous + i, lanes: lanes)
            xi.store(to: x + i, lanes: lanes)
        }
    }
}
