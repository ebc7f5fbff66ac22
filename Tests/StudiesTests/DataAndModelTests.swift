import Foundation
import Optimizers
import Testing

@testable import Studies

@Suite("Studies: data and models")
struct DataAndModelTests {
    @Test func digitsLoadWithTheirKnownShape() throws {
        let digits = try Digits.load()
        #expect(digits.images.count == 1797 && digits.labels.count == 1797)
        #expect(digits.images.allSatisfy { $0.count == 64 && $0.allSatisfy { (0...1).contains($0) } })
        let counts = (0..<10).map { d in digits.labels.filter { $0 == d }.count }
        #expect(counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        let (training, validation) = digits.split(seed: 1)
        #expect(training.count == 1437 && validation.count == 360 && Set(training + validation).count == 1797)
        #expect(digits.split(seed: 1).training == training, "the split is deterministic")
    }

    /// The hand-written backward pass against central finite differences, in double precision.
    @Test func mlpGradientMatchesFiniteDifferences() throws {
        let model = MLP(inputs: 5, hidden: 4, classes: 3)
        var generator = StudyRandom(seed: 3)
        let images = (0..<6).map { _ in (0..<5).map { _ in Double.random(in: -1...1, using: &generator) } }
        let labels = [0, 1, 2, 1, 0, 2]
        let batch = [0, 1, 2, 3, 4, 5, 2]  // a repeated row too
        let p = model.initialParameters(seed: 7, as: Double.self).map {
            $0 + Double.random(in: -0.1...0.1, using: &generator)
        }
        let (_, gradient, _) = model.lossAndGradient(p, images: images, labels: labels, batch: batch)
        var worst = 0.0
        for index in p.indices {
            var plus = p, minus = p
            plus[index] += 1e-6
            minus[index] -= 1e-6
            let numeric =
                (model.lossAndGradient(plus, images: images, labels: labels, batch: batch).loss
                    - model.lossAndGradient(minus, images: images, labels: labels, batch: batch).loss) / 2e-6
            worst = max(worst, abs(numeric - gradient[index]) / max(1e-3, abs(numeric)))
        }
        #expect(worst < 1e-6, "worst relative gradient error \(worst)")
        #expect(p.count == model.parameterCount && model.biasRanges.map(\.count) == [4, 3])
    }

    /// The transformer's hand-written backward pass against central finite differences, in
    /// double precision, for every parameter of a model with two blocks and two heads.
    @Test func transformerGradientMatchesFiniteDifferences() throws {
        let model = Transformer(vocabulary: 5, context: 4, width: 4, heads: 2, blocks: 2)
        var generator = StudyRandom(seed: 5)
        let sequences = (0..<3).map { _ in (0...4).map { _ in Int.random(in: 0..<5, using: &generator) } }
        // Larger than the initialisation so attention and GELU are far from linear.
        let p = model.initialParameters(seed: 9, as: Double.self).map {
            $0 + Double.random(in: -0.5...0.5, using: &generator)
        }
        let (loss, gradient, _) = model.lossAndGradient(p, sequences: sequences)
        #expect(loss > 0 && gradient.count == model.parameterCount)
        var worst = 0.0
        for index in p.indices {
            var plus = p, minus = p
            plus[index] += 1e-6
            minus[index] -= 1e-6
            let numeric =
                (model.lossAndGradient(plus, sequences: sequences, gradient: false).loss
                    - model.lossAndGradient(minus, sequences: sequences, gradient: false).loss) / 2e-6
            worst = max(worst, abs(numeric - gradient[index]) / max(1e-3, abs(numeric)))
        }
        #expect(worst < 1e-6, "worst relative gradient error \(worst)")
        let forwardOnly = model.lossAndGradient(p, sequences: sequences, gradient: false)
        #expect(forwardOnly.loss == loss && forwardOnly.gradient.isEmpty)
    }

    /// Sampling continues the prompt reproducibly, within the vocabulary, and a model whose
    /// logits favour one token overwhelmingly (a huge head bias) always picks it.
    @Test func transformerSamplesReproducibly() {
        let model = Transformer(vocabulary: 7, context: 4, width: 8, heads: 2, blocks: 1)
        var p: [Float] = model.initialParameters(seed: 4)
        var a = StudyRandom(seed: 1), b = StudyRandom(seed: 1)
        let first = model.sample(p, prompt: [1, 2], count: 12, using: &a)
        #expect(first.count == 12 && first.allSatisfy { (0..<7).contains($0) })
        #expect(model.sample(p, prompt: [1, 2], count: 12, using: &b) == first)
        p[model.layout.headBias.lowerBound + 5] = 100
        #expect(model.sample(p, prompt: [1], count: 6, using: &a) == [5, 5, 5, 5, 5, 5])
    }

    /// Causality: the prediction after position t depends on tokens 0...t only.
    @Test func transformerIsCausal() {
        let model = Transformer(vocabulary: 6, context: 5, width: 8, heads: 2, blocks: 2)
        let p = model.initialParameters(seed: 2, as: Double.self).map { $0 * 20 }
        let a = model.logits(p, tokens: [1, 2, 3, 4, 5]), b = model.logits(p, tokens: [1, 2, 3, 0, 5])
        #expect(a.count == 5 && a.allSatisfy { $0.count == 6 })
        #expect(a[0..<3] == b[0..<3], "positions before the change")
        #expect(a[3] != b[3] && a[4] != b[4], "positions from the change on")
        #expect(model.logits(p, tokens: [1, 2, 3]) == Array(a[0..<3]), "a shorter input gives the same prefix")
    }
}
