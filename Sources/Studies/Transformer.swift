import Foundation

/// A small decoder-only (GPT-style) transformer for character-level language modelling, its
/// parameters in one flat buffer, with a hand-written backward pass.
///
/// ```
/// x      = tokenEmbedding[token] + positionEmbedding[position]
/// for each block:
///   x    = x + Attention(LayerNorm(x))      causal, `heads` heads, softmax(q k^T / sqrt(d_head)) v
///   x    = x + W2 GELU(W1 LayerNorm(x))     hidden width 4 x width, GELU's tanh form
/// logits = LayerNorm(x) W_head + b_head     mean cross-entropy of the next character
/// ```
///
/// Pre-norm blocks as in GPT-2, with GPT-2's initialisation (weights N(0, 0.02), residual
/// output projections N(0, 0.02 / sqrt(2 blocks)), biases 0, layer-norm gains 1). Layer norm
/// uses epsilon 1e-5. ``lossAndGradient(_:sequences:gradient:)`` is generic over the scalar so
/// tests can check it against finite differences in double precision.
public struct Transformer: Sendable {
    public let vocabulary: Int, context: Int, width: Int, heads: Int, blocks: Int
    let layout: Layout

    /// - Precondition: `width` is a multiple of `heads`; every size is at least 1.
    public init(vocabulary: Int, context: Int, width: Int, heads: Int, blocks: Int) {
        precondition(vocabulary > 0 && context > 0 && heads > 0 && blocks > 0 && width > 0 && width % heads == 0)
        (self.vocabulary, self.context, self.width, self.heads, self.blocks) = (
            vocabulary, context, width, heads, blocks
        )
        layout = Layout(vocabulary: vocabulary, context: context, width: width, blocks: blocks)
    }

    public var parameterCount: Int { layout.count }
    var headWidth: Int { width / heads }
    var hiddenWidth: Int { 4 * width }

    /// Where each tensor lives in the flat parameter buffer, in order.
    struct Layout: Sendable {
        struct Block: Sendable {
            var gain1, bias1, qkv, qkvBias, projection, projectionBias: Range<Int>
            var gain2, bias2, up, upBias, down, downBias: Range<Int>
        }
        var tokenEmbedding, positionEmbedding: Range<Int>
        var blocks: [Block]
        var finalGain, finalBias, head, headBias: Range<Int>
        var count: Int

        init(vocabulary v: Int, context: Int, width d: Int, blocks: Int) {
            var cursor = 0
            func take(_ n: Int) -> Range<Int> {
                defer { cursor += n }
                return cursor..<(cursor + n)
            }
            tokenEmbedding = take(v * d)
            positionEmbedding = take(context * d)
            self.blocks = (0..<blocks).map { _ in
                Block(
                    gain1: take(d), bias1: take(d), qkv: take(d * 3 * d), qkvBias: take(3 * d),
                    projection: take(d * d), projectionBias: take(d),
                    gain2: take(d), bias2: take(d), up: take(d * 4 * d), upBias: take(4 * d),
                    down: take(4 * d * d), downBias: take(d))
            }
            finalGain = take(d)
            finalBias = take(d)
            head = take(d * v)
            headBias = take(v)
            count = cursor
        }
    }

    /// GPT-2's initialisation (see the type's documentation), reproducible from `seed`.
    public func initialParameters<T: ModelScalar>(seed: UInt64, as _: T.Type = T.self) -> [T] {
        var generator = StudyRandom(seed: seed)
        var parameters = [T](repeating: 0, count: parameterCount)
        func normal(_ range: Range<Int>, _ deviation: Double) {
            for index in range { parameters[index] = T(generator.normal() * deviation) }
        }
        func ones(_ range: Range<Int>) { for index in range { parameters[index] = 1 } }
        let residual = 0.02 / (2 * Double(blocks)).squareRoot()
        normal(layout.tokenEmbedding, 0.02)
        normal(layout.positionEmbedding, 0.02)
        for block in layout.blocks {
            ones(block.gain1)
            normal(block.qkv, 0.02)
            normal(block.projection, residual)
            ones(block.gain2)
            normal(block.up, 0.02)
            normal(block.down, residual)
        }
        ones(layout.finalGain)
        normal(layout.head, 0.02)
        return parameters
    }

    /// The matrices (the ranges weight decay usually applies to); the rest are embeddings,
    /// biases and layer-norm parameters.
    public var matrixRanges: [Range<Int>] {
        layout.blocks.flatMap { [$0.qkv, $0.projection, $0.up, $0.down] } + [layout.head]
    }

    /// The mean cross-entropy of predicting each next character of `sequences` (each holds
    /// `context + 1` tokens in `0..<vocabulary`: inputs are the first `context`, targets the
    /// last `context`), its gradient (empty when `gradient` is false), and how many next
    /// characters the model ranked first.
    public func lossAndGradient<T: ModelScalar>(
        _ parameters: [T], sequences: [[Int]], gradient wantsGradient: Bool = true
    )
        -> (loss: T, gradient: [T], correct: Int)
    {
        var gradient = [T](repeating: 0, count: wantsGradient ? parameterCount : 0)
        var loss: T = 0, correct = 0
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                let pass = Pass<T>(
                    model: self, parameters: p.baseAddress!, gradient: wantsGradient ? g.baseAddress : nil)
                let scale = 1 / T(sequences.count * context)
                for sequence in sequences {
                    precondition(sequence.count == context + 1)
                    let (sequenceLoss, sequenceCorrect) = pass.run(sequence, scale: scale)
                    loss += sequenceLoss
                    correct += sequenceCorrect
                }
            }
        }
        return (loss, gradient, correct)
    }

    /// The logits of the token after each prefix of `tokens` (at most `context` tokens):
    /// `tokens.count` rows of `vocabulary`.
    public func logits<T: ModelScalar>(_ parameters: [T], tokens: [Int]) -> [[T]] {
        parameters.withUnsafeBufferPointer { p in
            let pass = Pass<T>(model: self, parameters: p.baseAddress!, gradient: nil)
            pass.forward(tokens[...])
            return (0..<tokens.count).map { row in
                Array(UnsafeBufferPointer(start: pass.logits + row * vocabulary, count: vocabulary))
            }
        }
    }

    /// Continues `prompt` by `count` tokens, each drawn from the softmax of the logits divided
    /// by `temperature` (reproducible from `generator`), looking back at most `context` tokens.
    public func sample(
        _ parameters: [Float], prompt: [Int], count: Int, temperature: Float = 0.8,
        using generator: inout StudyRandom
    ) -> [Int] {
        var tokens = prompt
        for _ in 0..<count {
            let scores = logits(parameters, tokens: Array(tokens.suffix(context))).last!
            let largest = scores.max()!
            let weights = scores.map { Foundation.exp(($0 - largest) / temperature) }
            var target = Float.random(in: 0..<weights.reduce(0, +), using: &generator)
            let next =
                weights.firstIndex { weight in
                    target -= weight
                    return target < 0
                } ?? weights.count - 1
            tokens.append(next)
        }
        return Array(tokens.dropFirst(prompt.count))
    }
}
