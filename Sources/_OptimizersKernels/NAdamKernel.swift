/// What one NAdam pass needs (see `NAdam` for the rule).
public struct NAdamArguments {
    /// 1 - lr * wd when decoupled, else 1.
    public var decay: Float
    /// wd when coupled, else 0.
    public var coupledDecay: Float
    public var beta1: Float, beta2: Float
    /// 1 / sqrt(1 - beta2^t).
    public var inverseCorrection2: Float
    /// lr (1 - mu_t) / (1 - P_t).
    public var gradientStep: Float
    /// lr mu_{t+1} / (1 - P_t mu_{t+1}).
    public var momentumStep: Float
    public var epsilon: Float
    public var x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    public var m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>

    @inlinable
    public init(
        decay: Float, coupledDecay: Float, beta1: Float, beta2: Float, inverseCorrection2: Float,
        gradientStep: Float, momentumStep: Float, epsilon: Float, x: UnsafeMutablePointer<Float>,
        g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    ) {
        (self.decay, self.coupledDecay, self.beta1, self.beta2) = (decay, coupledDecay, beta1, beta2)
        (self.inverseCorrection2, self.gradientStep, self.momentumStep, self.epsilon) =
            (inverseCorrection2, gradientStep, momentumStep, epsilon)
        (self.x, self.g, self.m, self.v) = (x, g, m, v)
    }
}

public struct NAdamKernel<Vector: FloatVector>: ElementwiseKernel {
    @usableFromInline let decay, coupledDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2: Vector
    @usableFromInline let inverseCorrection2, gradientStep, momentumStep, epsilon: Vector
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    @usableFromInline let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: NAdamArguments) {
        decay = Vector(repeating: a.decay)
        coupledDecay = Vector(repeating: a.coupledDecay)
        beta1 = Vector(repeating: a.beta1)
        oneMinusBeta1 = Vector(repeating: 1 - a.beta1)
        beta2 = Vector(repeating: a.beta2)
        oneMinusBeta2 = Vector(repeating: 1 - a.beta2)
        inverseCorrection2 = Vector(repeating: a.inverseCorrection2)
        gradientStep = Vector(repeating: a.gradientStep)
        momentumStep = Vector(repeating: a.momentumStep)
        epsilon = Vector(repeating: a.epsilon)
        (x, g, m, v) = (a.x, a.g, a.m, a.v)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let x0 = Vector(loadingFrom: x + i, lanes: lanes)
        let gi = Vector(loadingFrom: g + i, lanes: lanes) + coupledDecay * x0
        let mi = beta1 * Vector(loadingFrom: m + i, lanes: lanes) + oneMinusBeta1 * gi
        let vi = beta2 * Vector(loadingFrom: v + i, lanes: lanes) + oneMinusBeta2 * (gi * gi)
        let denominator = vi.squareRoots() * inverseCorrection2 + epsilon
        let xi = x0 * decay - gradientStep * (gi / denominator) - momentumStep * (mi / denominator)
        mi.store(to: m + i, lanes: lanes)
        vi.store(to: v + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}
