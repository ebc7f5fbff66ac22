/// What one Adan pass needs (see `Adan` for the rule).
public struct AdanArguments {
    /// 1 - lr * wd when decoupled, else 1.
    public var decay: Float
    /// 1 / (1 + lr * wd) when not decoupled, else 1.
    public var proximal: Float
    /// 0 on the first step (the previous gradient is the gradient), else 1.
    public var differenceScale: Float
    public var beta1: Float, beta2: Float, beta3: Float
    /// 1 / sqrt(1 - beta3^t).
    public var inverseCorrection3: Float
    /// lr / (1 - beta1^t).
    public var momentumStep: Float
    /// lr * beta2 / (1 - beta2^t).
    public var differenceStep: Float
    public var epsilon: Float
    public var x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    public var m: UnsafeMutablePointer<Float>, d: UnsafeMutablePointer<Float>
    public var n: UnsafeMutablePointer<Float>, previous: UnsafeMutablePointer<Float>

    @inlinable
    public init(
        decay: Float, proximal: Float, differenceScale: Float, beta1: Float, beta2: Float, beta3: Float,
        inverseCorrection3: Float, momentumStep: Float, differenceStep: Float, epsilon: Float,
        x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        d: UnsafeMutablePointer<Float>, n: UnsafeMutablePointer<Float>, previous: UnsafeMutablePointer<Float>
    ) {
        (self.decay, self.proximal, self.differenceScale) = (decay, proximal, differenceScale)
        (self.beta1, self.beta2, self.beta3) = (beta1, beta2, beta3)
        (self.inverseCorrection3, self.momentumStep, self.differenceStep, self.epsilon) =
            (inverseCorrection3, momentumStep, differenceStep, epsilon)
        (self.x, self.g, self.m, self.d, self.n, self.previous) = (x, g, m, d, n, previous)
    }
}

public struct AdanKernel<Vector: FloatVector>: ElementwiseKernel {
    @usableFromInline let decay, proximal, differenceScale: Vector
    @usableFromInline let beta1, oneMinusBeta1, beta2, oneMinusBeta2, beta3, oneMinusBeta3: Vector
    @usableFromInline let inverseCorrection3, momentumStep, differenceStep, epsilon: Vector
    @usableFromInline let x: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    @usableFromInline let m, d, n, previous: UnsafeMutablePointer<Float>

    @inlinable @inline(__always)
    public init(_ a: AdanArguments) {
        decay = Vector(repeating: a.decay)
        proximal = Vector(repeating: a.proximal)
        differenceScale = Vector(repeating: a.differenceScale)
        beta1 = Vector(repeating: a.beta1)
        oneMinusBeta1 = Vector(repeating: 1 - a.beta1)
        beta2 = Vector(repeating: a.beta2)
        oneMinusBeta2 = Vector(repeating: 1 - a.beta2)
        beta3 = Vector(repeating: a.beta3)
        oneMinusBeta3 = Vector(repeating: 1 - a.beta3)
        inverseCorrection3 = Vector(repeating: a.inverseCorrection3)
        momentumStep = Vector(repeating: a.momentumStep)
        differenceStep = Vector(repeating: a.differenceStep)
        epsilon = Vector(repeating: a.epsilon)
        (x, g, m, d, n, previous) = (a.x, a.g, a.m, a.d, a.n, a.previous)
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { x }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let gi = Vector(loadingFrom: g + i, lanes: lanes)
        let difference = (gi - Vector(loadingFrom: previous + i, lanes: lanes)) * differenceScale
        let mi = beta1 * Vector(loadingFrom: m + i, lanes: lanes) + oneMinusBeta1 * gi
        let di = beta2 * Vector(loadingFrom: d + i, lanes: lanes) + oneMinusBeta2 * difference
        let u = gi + beta2 * difference
        let ni = beta3 * Vector(loadingFrom: n + i, lanes: lanes) + oneMinusBeta3 * (u * u)
        let denominator = ni.squareRoots() * inverseCorrection3 + epsilon
        let step = (momentumStep * mi + differenceStep * di) / denominator
        let xi = (Vector(loadingFrom: x + i, lanes: lanes) * decay - step) * proximal
        mi.store(to: m + i, lanes: lanes)
        di.store(to: d + i, lanes: lanes)
        ni.store(to: n + i, lanes: lanes)
        gi.store(to: previous + i, lanes: lanes)
        xi.store(to: x + i, lanes: lanes)
    }
}
