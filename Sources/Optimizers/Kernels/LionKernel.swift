/// The Lion update over raw buffers (see ``Lion`` for the rule).
struct LionKernel: VectorKernel {
    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var decay: Lanes            // 1 - lr * wd
        var learningRate: Lanes
        var beta1: Lanes, oneMinusBeta1: Lanes
        var beta2: Lanes, oneMinusBeta2: Lanes

        init(decay: Float, learningRate: Float, beta1: Float, oneMinusBeta1: Float, beta2: Float,
             oneMinusBeta2: Float) {
            self.decay = Lanes(repeating: decay)
            self.learningRate = Lanes(repeating: learningRate)
            self.beta1 = Lanes(repeating: beta1)
            self.oneMinusBeta1 = Lanes(repeating: oneMinusBeta1)
            self.beta2 = Lanes(repeating: beta2)
            self.oneMinusBeta2 = Lanes(repeating: oneMinusBeta2)
        }
    }

    let c: Coefficients
    let x: UnsafeMutablePointer<Float>
    let g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>

    var job: ParallelJob { .lion(self) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        let gi = Lanes(loading: g + i, lanes: lanes)
        let m0 = Lanes(loading: m + i, lanes: lanes)
        let interpolation = c.beta1 * m0 + c.oneMinusBeta1 * gi
        let xi = Lanes(loading: x + i, lanes: lanes) * c.decay - c.learningRate * interpolation.signs
        let mi = c.beta2 * m0 + c.oneMinusBeta2 * gi
        mi.store(to: m + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}
