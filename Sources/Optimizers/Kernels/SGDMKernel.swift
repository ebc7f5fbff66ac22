/// The SGD-with-momentum update over raw buffers (see ``SGDM`` for the rule).
struct SGDMKernel: VectorKernel {
    /// The per-step scalars of the update, each broadcast to all lanes (kept as vectors so
    /// the optimizer never pairs neighbouring scalars into partial vectors; see `Lanes.swift`).
    struct Coefficients {
        var learningRate: Lanes
        var weightDecay: Lanes
        /// Multiplies the old buffer: 0 on the first step (the buffer becomes the gradient), else momentum.
        var bufferScale: Lanes
        /// Multiplies the gradient in the buffer update: 1 on the first step, else 1 - dampening.
        var gradientScale: Lanes
        /// Multiplies the buffer in the direction: momentum with Nesterov, else 1 (direction = buffer).
        var lookahead: Lanes
        /// Multiplies the gradient in the direction: 1 with Nesterov, else 0.
        var gradientInDirection: Lanes

        init(learningRate: Float, weightDecay: Float, momentum: Float, dampening: Float, nesterov: Bool, firstStep: Bool) {
            self.learningRate = Lanes(repeating: learningRate)
            self.weightDecay = Lanes(repeating: weightDecay)
            bufferScale = Lanes(repeating: firstStep ? 0 : momentum)
            gradientScale = Lanes(repeating: firstStep ? 1 : 1 - dampening)
            lookahead = Lanes(repeating: nesterov ? momentum : 1)
            gradientInDirection = Lanes(repeating: nesterov ? 1 : 0)
        }
    }

    let c: Coefficients
    let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let buffer: UnsafeMutablePointer<Float>

    var job: ParallelJob { .sgdm(self) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        var xi = Lanes(loading: x + i, lanes: lanes)
        let gi = Lanes(loading: g + i, lanes: lanes) + c.weightDecay * xi
        let bi = c.bufferScale * Lanes(loading: buffer + i, lanes: lanes) + c.gradientScale * gi
        let direction = c.gradientInDirection * gi + c.lookahead * bi
        xi = xi - c.learningRate * direction
        bi.store(to: buffer + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}

/// Plain SGD (momentum 0, no buffer): `x -= lr * (g + wd * x)`.
struct PlainSGDKernel: VectorKernel {
    let learningRate: Lanes, weightDecay: Lanes
    let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>

    init(learningRate: Float, weightDecay: Float, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>) {
        self.learningRate = Lanes(repeating: learningRate)
        self.weightDecay = Lanes(repeating: weightDecay)
        (self.x, self.g) = (x, g)
    }

    var job: ParallelJob { .plainSGD(self) }

    @inline(__always)
    func apply(_ i: Int, lanes: Int) {
        var xi = Lanes(loading: x + i, lanes: lanes)
        let gi = Lanes(loading: g + i, lanes: lanes) + weightDecay * xi
        xi = xi - learningRate * gi
        xi.store(to: x + i, lanes: lanes)
    }
}
