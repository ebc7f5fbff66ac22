/// What one Lion pass needs (see `Lion` for the rule).
public struct LionArguments {
    /// 1 - lr * wd.
    public var decay: Float
    public var learningRate: Float
    public var beta1: Float, beta2: Float
    public var x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>

    @inlinable
    public init(
        decay: Float, learningRate: Float, beta1: Float, beta2: Float, x: UnsafeMutablePointer<Float>,
        g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>
    ) {
        (self.decay, self.learningRate, self.beta1, self.beta2, self.x, self.g, self.m) =
            (decay, learningRate, beta1, beta2, x, g, m)
    }
}

public struct LionKernel<Vector: FloatVector>: ElementwiseKernel {
    @usableFromInline let decay, learningRate, beta1, oneMinusBeta1, beta2, oneMinusBeta2: Vector
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: LionArguments) {
        decay = Vector(repeating: a.decay)
        learningRate = Vector(repeating: a.learningRate)
        beta1 = Vector(repeating: a.beta1)
        oneMinusBeta1 = Vector(repeating: 1 - a.beta1)
        beta2 = Vector(repeating: a.beta2)
        oneMinusBeta2 = Vector(repeating: 1 - a.beta2)
        (x, g, m) = (a.x, a.g, a.m)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let gi = Vector(loadingFrom: g + i, lanes: lanes)
        let m0 = Vector(loadingFrom: m + i, lanes: lanes)
        let interpolation = beta1 * m0 + oneMinusBeta1 * gi
        let xi = Vector(loadingFrom: x + i, lanes: lanes) * decay - learningRate * interpolation.signs
        (beta2 * m0 + oneMinusBeta2 * gi).store(to: m + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}
