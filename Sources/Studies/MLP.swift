/// A one-hidden-layer perceptron with tanh units and a softmax cross-entropy loss, its
/// parameters in one flat buffer, with a hand-written backward pass.
///
/// Layout of the buffer: `W1` (inputs x hidden, row-major), `b1` (hidden), `W2` (hidden x
/// classes), `b2` (classes). ``weightRanges`` and ``biasRanges`` name the pieces (for
/// parameter groups without weight decay on biases).
public struct MLP: Sendable {
    public let inputs: Int, hidden: Int, classes: Int

    public init(inputs: Int, hidden: Int, classes: Int) {
        (self.inputs, self.hidden, self.classes) = (inputs, hidden, classes)
    }

    public var parameterCount: Int { inputs * hidden + hidden + hidden * classes + classes }
    var w1: Range<Int> { 0..<(inputs * hidden) }
    var b1: Range<Int> { w1.upperBound..<(w1.upperBound + hidden) }
    var w2: Range<Int> { b1.upperBound..<(b1.upperBound + hidden * classes) }
    var b2: Range<Int> { w2.upperBound..<(w2.upperBound + classes) }
    public var weightRanges: [Range<Int>] { [w1, w2] }
    public var biasRanges: [Range<Int>] { [b1, b2] }

    /// Weights from N(0, 1 / fan-in) (LeCun initialisation, suited to tanh), biases 0.
    public func initialParameters<T: ModelScalar>(seed: UInt64, as _: T.Type = T.self) -> [T] {
        var generator = StudyRandom(seed: seed)
        var parameters = [T](repeating: 0, count: parameterCount)
        for index in w1 { parameters[index] = T(generator.normal() / Double(inputs).squareRoot()) }
        for index in w2 { parameters[index] = T(generator.normal() / Double(hidden).squareRoot()) }
        return parameters
    }

    /// The mean cross-entropy over `batch` (rows of `images` with their `labels`), its gradient
    /// with respect to every parameter (empty when `gradient` is false: forward pass only), and
    /// how many of the batch were classified correctly.
    public func lossAndGradient<T: ModelScalar>(
        _ p: [T], images: [[T]], labels: [Int], batch: [Int],
        gradient wantsGradient: Bool = true
    )
        -> (loss: T, gradient: [T], correct: Int)
    {
        var gradient = [T](repeating: 0, count: wantsGradient ? parameterCount : 0)
        var loss: T = 0
        var correct = 0
        let scale = 1 / T(batch.count)
        var h = [T](repeating: 0, count: hidden), logits = [T](repeating: 0, count: classes)
        for row in batch {
            let x = images[row]
            // Forward.
            for j in 0..<hidden {
                var z = p[b1.lowerBound + j]
                for i in 0..<inputs { z += x[i] * p[i * hidden + j] }
                h[j] = T.tanh(z)
            }
            for k in 0..<classes {
                var z = p[b2.lowerBound + k]
                for j in 0..<hidden { z += h[j] * p[w2.lowerBound + j * classes + k] }
                logits[k] = z
            }
            let largest = logits.max()!
            let exps = logits.map { T.exp($0 - largest) }
            let total = exps.reduce(0, +)
            loss += (T.log(total) + largest - logits[labels[row]]) * scale
            if logits.indices.max(by: { logits[$0] < logits[$1] }) == labels[row] { correct += 1 }
            guard wantsGradient else { continue }
            // Backward: dL/dlogits = softmax - onehot.
            var dh = [T](repeating: 0, count: hidden)
            for k in 0..<classes {
                let dz = (exps[k] / total - (k == labels[row] ? 1 : 0)) * scale
                gradient[b2.lowerBound + k] += dz
                for j in 0..<hidden {
                    gradient[w2.lowerBound + j * classes + k] += h[j] * dz
                    dh[j] += p[w2.lowerBound + j * classes + k] * dz
                }
            }
            for j in 0..<hidden {
                let dz = dh[j] * (1 - h[j] * h[j])
                gradient[b1.lowerBound + j] += dz
                for i in 0..<inputs { gradient[i * hidden + j] += x[i] * dz }
            }
        }
        return (loss, gradient, correct)
    }
}
