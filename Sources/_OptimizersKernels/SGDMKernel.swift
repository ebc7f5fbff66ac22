/// What one SGD-with-momentum pass needs (see `SGDM` for the rule).
public struct SGDMArguments {
    public var learningRate: Float
    public var weightDecay: Float
    /// Multiplies the old buffer: 0 on the first step (the buffer becomes the gradient), else momentum.
    public var bufferScale: Float
    /// Multiplies the gradient in the buffer update: 1 on the first step, else 1 - dampening.
    public var gradientScale: Float
    /// Multiplies the buffer in the direction: momentum with Nesterov, else 1 (direction = buffer).
    public var lookahead: Float
    /// Multiplies the gradient in the direction: 1 with Nesterov, else 0.
    public var gradientInDirection: Float
    public var x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    /// The momentum buffer (unused, and may dangle, without momentum).
    public var buffer: UnsafeMutablePointer<Float>

    @inlinable
    public init(
        learningRate: Float, weightDecay: Float, bufferScale: Float, gradientScale: Float, lookahead: Float,
        gradientInDirection: Float, x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
        buffer: UnsafeMutablePointer<Float>
    ) {
        (self.learningRate, self.weightDecay, self.bufferScale, self.gradientScale) =
            (learningRate, weightDecay, bufferScale, gradientScale)
        (self.lookahead, self.gradientInDirection, self.x, self.g, self.buffer) = (
            lookahead, gradientInDirection, x, g, buffer
        )
    }
}

/// SGD with momentum: `b = s b + c (g + wd x)`, `x -= lr (h (g + wd x) + k b)`.
public struct SGDMKernel<Vector: FloatVector>: ElementwiseKernel {
    @usableFromInline let learningRate, weightDecay, bufferScale, gradientScale, lookahead, gradientInDirection: Vector
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, buffer: UnsafeMutablePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: SGDMArguments) {
        learningRate = Vector(repeating: a.learningRate)
        weightDecay = Vector(repeating: a.weightDecay)
        bufferScale = Vector(repeating: a.bufferScale)
        gradientScale = Vector(repeating: a.gradientScale)
        lookahead = Vector(repeating: a.lookahead)
        gradientInDirection = Vector(repeating: a.gradientInDirection)
        (x, g, buffer) = (a.x, a.g, a.buffer)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let xi = Vector(loadingFrom: x + i, lanes: lanes)
        let gi = Vector(loadingFrom: g + i, lanes: lanes) + weightDecay * xi
        let bi = bufferScale * Vector(loadingFrom: buffer + i, lanes: lanes) + gradientScale * gi
        let direction = gradientInDirection * gi + lookahead * bi
        bi.store(to: buffer + i, lanes: lanes)
        (xi - learningRate * direction).store(to: x + i, lanes: lanes)
    }
}

/// Plain SGD (momentum 0, no buffer): `x -= lr (g + wd x)`.
public struct PlainSGDKernel<Vector: FloatVector>: ElementwiseKernel {
    @usableFromInline let learningRate, weightDecay: Vector
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: SGDMArguments) {
        learningRate = Vector(repeating: a.learningRate)
        weightDecay = Vector(repeating: a.weightDecay)
        (x, g) = (a.x, a.g)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let xi = Vector(loadingFrom: x + i, lanes: lanes)
        let gi = Vector(loadingFrom: g + i, lanes: lanes) + weightDecay * xi
        (xi - learningRate * gi).store(to: x + i, lanes: lanes)
    }
}
