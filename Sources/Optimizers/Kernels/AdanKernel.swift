/// The Adan update over raw buffers (see ``Adan`` for the rule).
struct AdanKernel: VectorKernel {
    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var decay: Lanes            // 1 - lr * wd when decoupled, else 1
        var proximal: Lanes         // 1 / (1 + lr * wd) when not decoupled, else 1
        var differenceScale: Lanes  // 0 on the first step (the previous gradient is the gradient), else 1
        var beta1: Lanes, oneMinusBeta1: Lanes
        var beta2: Lanes, oneMinusBeta2: Lanes
        var beta3: Lanes, oneMinusBeta3: Lanes
        var inverseCorrection3: Lanes  // 1 / sqrt(1 - beta3^t)
        var momentumStep: Lanes     // lr / (1 - beta1^t)
        var differenceStep: Lanes   // lr * beta2 / (1 - beta2^t)
        var epsilon: Lanes

        init(decay: Float, proximal: Float, differenceScale: Float, beta1: Float, oneMinusBeta1: Float,
             beta2: Float, oneMinusBeta2: Float, beta3: Float, oneMinusBeta3: Float,
             inverseCorrection3: Float, momentumStep: Float, differenceStep: Float, epsilon: Float) {
            self.decay = Lanes(repeating: decay)
            self.proximal = Lanes(repeating: proximal)
            self.differenceScale = Lanes(repeating: differenceScale)
            self.beta1 = Lanes(repeating: beta1)
            self.oneMinusBeta1 = Lanes(repeating: oneMinusBeta1)
            self.beta2 = Lanes(repeating: beta2)
            self.oneMinusBeta2 = Lanes(repeating: oneMinusBeta2)
            self.beta3 = Lanes(repeating: beta3)
            self.oneMinusBeta3 = Lanes(repeating: oneMinusBeta3)
            self.inverseCorrection3 = Lanes(repeating: inverseCorrection3)
            self.momentumStep = Lanes(repeating: momentumStep)
            self.differenceStep = Lanes(repeating: differenceStep)
            self.epsilon = Lanes(repeating: epsilon)
        }
    }

    let c: Coefficients
    let x: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let d: UnsafeMutablePointer<Float>
    let n: UnsafeMutablePointer<Float>
    let previous: UnsafeMutablePointer<Float>

    var job: ParallelJob { .adan(self) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
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
