/// One forward and backward pass of a ``Transformer`` over sequences, one at a time: the
/// activations the backward pass needs, kept per block, and the scratch it works in. The
/// gradient accumulates over the sequences into `gradient` (nil: forward only).
///
/// Row-major matrices throughout; every inner loop runs over contiguous memory (the weight
/// matrices are transposed once for the backward pass) so the compiler vectorises it.
final class Pass<T: ModelScalar> {
    let model: Transformer
    let p: UnsafePointer<T>
    let g: UnsafeMutablePointer<T>?
    let d: Int, f: Int, v: Int, h: Int, dh: Int
    /// The number of positions of the current sequence (at most the model's context).
    private(set) var n: Int
    private var allocations: [UnsafeMutablePointer<T>] = []

    struct Cache {
        var xhat1, rstd1, a1, qkv, probabilities, attention: UnsafeMutablePointer<T>
        var xhat2, rstd2, a2, u, tanh, activation: UnsafeMutablePointer<T>
        // Transposed weights for the backward pass.
        var qkvT, projectionT, upT, downT: UnsafeMutablePointer<T>
    }
    var caches: [Cache] = []
    let x, xhatF, rstdF, aF, logits: UnsafeMutablePointer<T>
    let dx, dA, dqkv, dAttention, du, dScores: UnsafeMutablePointer<T>
    let headT: UnsafeMutablePointer<T>

    init(model: Transformer, parameters: UnsafePointer<T>, gradient: UnsafeMutablePointer<T>?) {
        self.model = model
        (p, g) = (parameters, gradient)
        (n, d, f, v, h, dh) = (
            model.context, model.width, model.hiddenWidth, model.vocabulary, model.heads, model.headWidth
        )
        var made: [UnsafeMutablePointer<T>] = []
        func make(_ count: Int) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, count))
            pointer.initialize(repeating: 0, count: max(1, count))
            made.append(pointer)
            return pointer
        }
        let backward = gradient != nil
        let (n, d, f, v, h) = (n, d, f, v, h)
        func transposed(_ range: Range<Int>, rows: Int, columns: Int) -> UnsafeMutablePointer<T> {
            guard backward else { return make(0) }
            let result = make(rows * columns)
            for row in 0..<rows {
                for column in 0..<columns {
                    result[column * rows + row] = parameters[range.lowerBound + row * columns + column]
                }
            }
            return result
        }
        caches = model.layout.blocks.map { block in
            Cache(
                xhat1: make(n * d), rstd1: make(n), a1: make(n * d), qkv: make(n * 3 * d),
                probabilities: make(h * n * n), attention: make(n * d),
                xhat2: make(n * d), rstd2: make(n), a2: make(n * d), u: make(n * f), tanh: make(n * f),
                activation: make(n * f),
                qkvT: transposed(block.qkv, rows: d, columns: 3 * d),
                projectionT: transposed(block.projection, rows: d, columns: d),
                upT: transposed(block.up, rows: d, columns: f), downT: transposed(block.down, rows: f, columns: d))
        }
        (x, xhatF, rstdF, aF, logits) = (make(n * d), make(n * d), make(n), make(n * d), make(n * v))
        (dx, dA, dqkv, dAttention, du, dScores) = (
            make(n * d), make(n * d), make(n * 3 * d), make(n * d), make(n * f), make(n)
        )
        headT = transposed(model.layout.head, rows: d, columns: v)
        allocations = made
    }

    deinit { for pointer in allocations { pointer.deallocate() } }

    /// Runs the model on `tokens` (at most `context` of them), leaving the logits of each
    /// position's next token in `logits` (`tokens.count` rows of `vocabulary`).
    func forward(_ tokens: ArraySlice<Int>) {
        precondition(tokens.count <= model.context && tokens.allSatisfy { (0..<v).contains($0) })
        n = tokens.count
        let layout = model.layout, sequence = Array(tokens)
        // Embeddings.
        for t in 0..<n {
            let token = p + layout.tokenEmbedding.lowerBound + sequence[t] * d
            let position = p + layout.positionEmbedding.lowerBound + t * d
            for k in 0..<d { x[t * d + k] = token[k] + position[k] }
        }
        for (block, cache) in zip(layout.blocks, caches) {
            layerNorm(x, block.gain1, block.bias1, xhat: cache.xhat1, rstd: cache.rstd1, into: cache.a1)
            dense(cache.a1, block.qkv, block.qkvBias, into: cache.qkv, inner: d, outer: 3 * d)
            attention(cache)
            dense(cache.attention, block.projection, block.projectionBias, into: x, inner: d, outer: d, adding: true)
            layerNorm(x, block.gain2, block.bias2, xhat: cache.xhat2, rstd: cache.rstd2, into: cache.a2)
            dense(cache.a2, block.up, block.upBias, into: cache.u, inner: d, outer: f)
            for index in 0..<(n * f) { (cache.activation[index], cache.tanh[index]) = Self.gelu(cache.u[index]) }
            dense(cache.activation, block.down, block.downBias, into: x, inner: f, outer: d, adding: true)
        }
        layerNorm(x, layout.finalGain, layout.finalBias, xhat: xhatF, rstd: rstdF, into: aF)
        dense(aF, layout.head, layout.headBias, into: logits, inner: d, outer: v)
    }

    /// The loss of one sequence of `context + 1` tokens (times `scale`) and its count of
    /// correct first guesses; accumulates `scale` times its gradient.
    func run(_ sequence: [Int], scale: T) -> (loss: T, correct: Int) {
        forward(sequence.dropLast())
        // Cross-entropy; `logits` becomes dLoss/dlogits.
        var loss: T = 0, correct = 0
        for t in 0..<n {
            let row = logits + t * v, target = sequence[t + 1]
            var largest = row[0], best = 0
            for k in 1..<v where row[k] > largest { (largest, best) = (row[k], k) }
            if best == target { correct += 1 }
            var total: T = 0
            for k in 0..<v {
                row[k] = T.exp(row[k] - largest)
                total += row[k]
            }
            loss += -T.log(row[target] / total) * scale
            for k in 0..<v { row[k] = row[k] / total * scale }
            row[target] -= scale
        }
        if g != nil { backward(sequence) }
        return (loss, correct)
    }

    private func backward(_ sequence: [Int]) {
        let layout = model.layout, g = g!
        // dx is the gradient of the residual stream, carried down through the blocks.
        denseBackward(
            logits, input: aF, weightT: headT, weight: layout.head, bias: layout.headBias, inputGradient: dA,
            inner: d, outer: v)
        for index in 0..<(n * d) { dx[index] = 0 }
        layerNormBackward(dA, xhat: xhatF, rstd: rstdF, layout.finalGain, layout.finalBias)
        for (block, cache) in zip(layout.blocks, caches).reversed() {
            denseBackward(
                dx, input: cache.activation, weightT: cache.downT, weight: block.down, bias: block.downBias,
                inputGradient: du, inner: f, outer: d)
            for index in 0..<(n * f) { du[index] *= Self.geluDerivative(cache.u[index], tanh: cache.tanh[index]) }
            denseBackward(
                du, input: cache.a2, weightT: cache.upT, weight: block.up, bias: block.upBias,
                inputGradient: dA, inner: d, outer: f)
            layerNormBackward(dA, xhat: cache.xhat2, rstd: cache.rstd2, block.gain2, block.bias2)
            denseBackward(
                dx, input: cache.attention, weightT: cache.projectionT, weight: block.projection,
                bias: block.projectionBias, inputGradient: dAttention, inner: d, outer: d)
            attentionBackward(cache)
            denseBackward(
                dqkv, input: cache.a1, weightT: cache.qkvT, weight: block.qkv, bias: block.qkvBias,
                inputGradient: dA, inner: d, outer: 3 * d)
            layerNormBackward(dA, xhat: cache.xhat1, rstd: cache.rstd1, block.gain1, block.bias1)
        }
        for t in 0..<n {
            let token = g + layout.tokenEmbedding.lowerBound + sequence[t] * d
            let position = g + layout.positionEmbedding.lowerBound + t * d
            for k in 0..<d {
                token[k] += dx[t * d + k]
                position[k] += dx[t * d + k]
            }
        }
    }

    // MARK: Layers

    /// `y = x W + b` (or, `adding`, `y += x W + b`) over the `n` rows: `x` is n x inner, `W`
    /// (at `weight`) inner x outer.
    private func dense(
        _ input: UnsafePointer<T>, _ weight: Range<Int>, _ bias: Range<Int>,
        into output: UnsafeMutablePointer<T>, inner: Int, outer: Int, adding: Bool = false
    ) {
        for row in 0..<n {
            let y = output + row * outer
            for j in 0..<outer {
                let b = p[bias.lowerBound + j]
                y[j] = adding ? y[j] + b : b
            }
            for k in 0..<inner {
                let xk = input[row * inner + k], w = p + weight.lowerBound + k * outer
                for j in 0..<outer { y[j] += xk * w[j] }
            }
        }
    }

    /// Given `dy` (n x outer) of `y = x W + b`: accumulates dW and db into the gradient and sets
    /// `inputGradient` (n x inner) to `dy W^T`.
    private func denseBackward(
        _ dy: UnsafePointer<T>, input: UnsafePointer<T>, weightT: UnsafePointer<T>,
        weight: Range<Int>, bias: Range<Int>, inputGradient dx: UnsafeMutablePointer<T>,
        inner: Int, outer: Int
    ) {
        let g = g!
        for row in 0..<n {
            let dyRow = dy + row * outer
            let db = g + bias.lowerBound
            for j in 0..<outer { db[j] += dyRow[j] }
            for k in 0..<inner {
                let xk = input[row * inner + k], dw = g + weight.lowerBound + k * outer
                for j in 0..<outer { dw[j] += xk * dyRow[j] }
            }
            let dxRow = dx + row * inner
            for k in 0..<inner { dxRow[k] = 0 }
            for j in 0..<outer {
                let dyj = dyRow[j], w = weightT + j * inner
                for k in 0..<inner { dxRow[k] += dyj * w[k] }
            }
        }
    }

    /// Layer norm of each row of `input` (epsilon 1e-5), keeping the normalised rows and the
    /// reciprocal standard deviations for the backward pass.
    private func layerNorm(
        _ input: UnsafePointer<T>, _ gain: Range<Int>, _ bias: Range<Int>,
        xhat: UnsafeMutablePointer<T>, rstd: UnsafeMutablePointer<T>, into output: UnsafeMutablePointer<T>
    ) {
        for row in 0..<n {
            let x = input + row * d
            var mean: T = 0
            for k in 0..<d { mean += x[k] }
            mean /= T(d)
            var variance: T = 0
            for k in 0..<d { variance += (x[k] - mean) * (x[k] - mean) }
            let r = 1 / (variance / T(d) + 1e-5).squareRoot()
            rstd[row] = r
            for k in 0..<d {
                let normalised = (x[k] - mean) * r
                xhat[row * d + k] = normalised
                output[row * d + k] = normalised * p[gain.lowerBound + k] + p[bias.lowerBound + k]
            }
        }
    }

    /// Given `dy` of a layer norm's output: accumulates the gain and bias gradients and adds
    /// the input gradient to the residual stream's `dx`.
    private func layerNormBackward(
        _ dy: UnsafePointer<T>, xhat: UnsafePointer<T>, rstd: UnsafePointer<T>,
        _ gain: Range<Int>, _ bias: Range<Int>
    ) {
        let g = g!
        for row in 0..<n {
            var meanDxhat: T = 0, meanDxhatXhat: T = 0
            for k in 0..<d {
                let dyk = dy[row * d + k], xk = xhat[row * d + k]
                g[gain.lowerBound + k] += dyk * xk
                g[bias.lowerBound + k] += dyk
                let dxhat = dyk * p[gain.lowerBound + k]
                meanDxhat += dxhat
                meanDxhatXhat += dxhat * xk
            }
            meanDxhat /= T(d)
            meanDxhatXhat /= T(d)
            for k in 0..<d {
                let dxhat = dy[row * d + k] * p[gain.lowerBound + k]
                dx[row * d + k] += rstd[row] * (dxhat - meanDxhat - xhat[row * d + k] * meanDxhatXhat)
            }
        }
    }

    /// Causal multi-head attention on the block's `qkv` rows ([q | k | v], each `d` wide,
    /// head `i` at columns `i * dh ..< (i + 1) * dh`), into `attention`.
    private func attention(_ cache: Cache) {
        let scale = 1 / T(dh).squareRoot(), stride = 3 * d
        for head in 0..<h {
            let probabilities = cache.probabilities + head * n * n
            for i in 0..<n {
                let q = cache.qkv + i * stride + head * dh, row = probabilities + i * n
                var largest = -T.infinity
                for j in 0...i {
                    let k = cache.qkv + j * stride + d + head * dh
                    var score: T = 0
                    for c in 0..<dh { score += q[c] * k[c] }
                    row[j] = score * scale
                    largest = max(largest, row[j])
                }
                var total: T = 0
                for j in 0...i {
                    row[j] = T.exp(row[j] - largest)
                    total += row[j]
                }
                let out = cache.attention + i * d + head * dh
                for c in 0..<dh { out[c] = 0 }
                for j in 0...i {
                    row[j] /= total
                    let value = cache.qkv + j * stride + 2 * d + head * dh
                    for c in 0..<dh { out[c] += row[j] * value[c] }
                }
            }
        }
    }

    /// Given `dAttention`, sets `dqkv`.
    private func attentionBackward(_ cache: Cache) {
        let scale = 1 / T(dh).squareRoot(), stride = 3 * d
        for index in 0..<(n * stride) { dqkv[index] = 0 }
        for head in 0..<h {
            let probabilities = cache.probabilities + head * n * n
            for i in 0..<n {
                let dOut = dAttention + i * d + head * dh, row = probabilities + i * n
                // dP_ij = dOut_i . v_j; dScore_ij = P_ij (dP_ij - sum_j P_ij dP_ij).
                var weighted: T = 0
                for j in 0...i {
                    let value = cache.qkv + j * stride + 2 * d + head * dh
                    var dp: T = 0
                    for c in 0..<dh { dp += dOut[c] * value[c] }
                    dScores[j] = dp
                    weighted += row[j] * dp
                }
                let q = cache.qkv + i * stride + head * dh, dq = dqkv + i * stride + head * dh
                for j in 0...i {
                    let dScore = row[j] * (dScores[j] - weighted) * scale
                    let k = cache.qkv + j * stride + d + head * dh
                    let dk = dqkv + j * stride + d + head * dh, dv = dqkv + j * stride + 2 * d + head * dh
                    for c in 0..<dh {
                        dq[c] += dScore * k[c]
                        dk[c] += dScore * q[c]
                        dv[c] += row[j] * dOut[c]
                    }
                }
            }
        }
    }

    /// GELU in its tanh form, `x/2 (1 + t)` with `t = tanh(sqrt(2/pi) (x + 0.044715 x^3))`,
    /// and `t`, which the derivative needs.
    @inline(__always)
    static func gelu(_ x: T) -> (value: T, tanh: T) {
        // tanh(z) = (1 - e^(-2|z|)) / (1 + e^(-2|z|)) with the sign of z: one exp instead of
        // libm's tanhf, which took a quarter of the training time; exact to a few ulp of 1.
        let z = 0.7978845608028654 * (x + 0.044715 * x * x * x)
        let e = T.exp(-2 * abs(z)), magnitude = (1 - e) / (1 + e)
        let t = z < 0 ? -magnitude : magnitude
        return (x / 2 * (1 + t), t)
    }

    /// The derivative of GELU at `x`, given its `tanh` from ``gelu(_:)``.
    @inline(__always)
    static func geluDerivative(_ x: T, tanh t: T) -> T {
        let c: T = 0.7978845608028654, a: T = 0.044715
        let slope = c * (1 + 3 * a * x * x)
        return (1 + t) / 2 + x / 2 * (1 - t * t) * slope
    }
}
