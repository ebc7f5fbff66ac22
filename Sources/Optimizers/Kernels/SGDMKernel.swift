/// The SGD-with-momentum update over raw buffers (see ``SGDM`` for the rule).
enum SGDMKernel {
    /// The per-step scalars of the update.
    struct Coefficients {
        var learningRate: Float
        var weightDecay: Float
        /// Multiplies the old buffer: 0 on the first step (the buffer becomes the gradient), else momentum.
        var bufferScale: Float
        /// Multiplies the gradient in the buffer update: 1 on the first step, else 1 - dampening.
        var gradientScale: Float
        /// Multiplies the buffer in the direction: momentum with Nesterov, else 1 (direction = buffer).
        var lookahead: Float
        /// Multiplies the gradient in the direction: 1 with Nesterov, else 0.
        var gradientInDirection: Float

        init(learningRate: Float, weightDecay: Float, momentum: Float, dampening: Float, nesterov: Bool, firstStep: Bool) {
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            bufferScale = firstStep ? 0 : momentum
            gradientScale = firstStep ? 1 : 1 - dampening
            lookahead = nesterov ? momentum : 1
            gradientInDirection = nesterov ? 1 : 0
        }
    }

    /// Plain SGD (momentum 0, no buffer): `x -= lr * (g + wd * x)`.
    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, count: Int) {
        forEachVector(count: count) { i, lanes in
            var xi = Lanes(loading: x + i, lanes: lanes)
            let gi = Lanes(loading: g + i, lanes: lanes) + c.weightDecay * xi
            xi = xi - c.learningRate * gi
            xi.store(to: x + i, lanes: lanes)
        }
    }

    /// SGD with a momentum buffer.
    static func update(_ c: Coefficients, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       buffer: UnsafeMutablePointer<Float>, count: Int) {
        forEachVector(count: count) { i, lanes in
            var xi = Lanes(loading: x + i, lanes: lanes)
            let gi = Lanes(loading: g + i, lanes: lanes) + c.weightDecay * xi
            let bi = c.bufferScale * Lanes(loading: buffer + i, lanes: lanes) + c.gradientScale * gi
            let direction = c.gradientInDirection * gi + c.lookahead * bi
            xi = xi - c.learningRate * direction
            bi.store(to: buffer + i, lanes: lanes)
            xi.store(to: x + i, lanes: lanes)
        }
    }
}
