import Optimizers

/// Theorem 3 of Peng et al. 2025: three ways of writing Nesterov's accelerated gradient give the
/// same iterates. With `g_t` the gradient at the point `y_t` where it is evaluated:
/// ```
/// (I)   v_{t+1} = mu v_t - lr g_t,  x_{t+1} = x_t + v_{t+1},  y_t = x_t + mu v_t   (Sutskever et al.)
/// (II)  b_{t+1} = mu b_t + g_t,     y_{t+1} = y_t - lr (g_t + mu b_{t+1})          (one buffer)
/// (III) m_{t+1} = mu m_t + (1 + mu) g_t - mu g_{t-1},  y_{t+1} = y_t - lr m_{t+1}  (Adan's; g_{-1} = 0)
/// ```
/// (I) and (II) are related by `b_t = -v_t / lr`, (II) and (III) by `m_{t+1} = g_t + mu b_{t+1}`.
/// Form II needs no memory beyond one buffer: it is `torch.optim.SGD(nesterov=True)`, this
/// module's `SGDM(nesterov: true)`, and, with exponential-moving-average weights, S3's
/// numerator `beta m_t + (1 - beta) g_t`. Form III must also keep the previous gradient.
public enum NesterovForms {
    /// The largest differences between the forms' iterates `y_t` on a diagonal quadratic, each
    /// relative to `max(1, |y|)`.
    public struct Comparison: Sendable {
        /// Form I against form II, both in double precision.
        public let formIAgainstII: Double
        /// Form III against form II, both in double precision.
        public let formIIIAgainstII: Double
        /// The real `SGDM(nesterov: true)` (float32) against form II in double precision.
        public let realSGDMAgainstII: Double
        /// |y| after the last step relative to its start (the run converges).
        public let contraction: Double
    }

    /// Runs all forms for `steps` steps on `f(y) = sum_i curvatures[i] * y_i^2 / 2` from `start`.
    public static func compare(
        curvatures: [Double], start: [Double], learningRate lr: Double, momentum mu: Double, steps: Int
    ) throws -> Comparison {
        let n = curvatures.count
        func gradient(_ y: [Double]) -> [Double] { (0..<n).map { curvatures[$0] * y[$0] } }
        func difference(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        }
        // Form I.
        var x = start, v = [Double](repeating: 0, count: n)
        // Form II.
        var y2 = start, b = [Double](repeating: 0, count: n)
        // Form III.
        var y3 = start, m = [Double](repeating: 0, count: n), previous = [Double](repeating: 0, count: n)
        // The real optimizer.
        var sgdm = try SGDM(learningRate: Float(lr), momentum: Float(mu), nesterov: true)
        var y = FlatTensor(start.map { Float($0) })
        var worst = (i: 0.0, iii: 0.0, real: 0.0)
        for _ in 0..<steps {
            let g1 = gradient((0..<n).map { x[$0] + mu * v[$0] })
            for i in 0..<n {
                v[i] = mu * v[i] - lr * g1[i]
                x[i] += v[i]
            }
            let g2 = gradient(y2)
            for i in 0..<n {
                b[i] = mu * b[i] + g2[i]
                y2[i] -= lr * (g2[i] + mu * b[i])
            }
            let g3 = gradient(y3)
            for i in 0..<n {
                m[i] = mu * m[i] + (1 + mu) * g3[i] - mu * previous[i]
                y3[i] -= lr * m[i]
            }
            previous = g3
            try sgdm.step(parameters: &y, gradients: FlatTensor(gradient(y.map(Double.init)).map { Float($0) }))
            worst.i = max(worst.i, difference((0..<n).map { x[$0] + mu * v[$0] }, y2))
            worst.iii = max(worst.iii, difference(y3, y2))
            worst.real = max(worst.real, difference(y.map(Double.init), y2))
        }
        let norm = { (v: [Double]) in v.map { $0 * $0 }.reduce(0, +).squareRoot() }
        return Comparison(
            formIAgainstII: worst.i, formIIIAgainstII: worst.iii, realSGDMAgainstII: worst.real,
            contraction: norm(y2) / norm(start))
    }
}
