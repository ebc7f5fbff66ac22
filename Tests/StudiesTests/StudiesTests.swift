@testable import Studies
import Testing

@Suite("Studies: data and models")
struct StudiesTests {
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
        let p = model.initialParameters(seed: 7, as: Double.self).map { $0 + Double.random(in: -0.1...0.1, using: &generator) }
        let (_, gradient, _) = model.lossAndGradient(p, images: images, labels: labels, batch: batch)
        var worst = 0.0
        for index in p.indices {
            var plus = p, minus = p
            plus[index] += 1e-6
            minus[index] -= 1e-6
            let numeric = (model.lossAndGradient(plus, images: images, labels: labels, batch: batch).loss
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
        let p = model.initialParameters(seed: 9, as: Double.self).map { $0 + Double.random(in: -0.5...0.5, using: &generator) }
        let (loss, gradient, _) = model.lossAndGradient(p, sequences: sequences)
        #expect(loss > 0 && gradient.count == model.parameterCount)
        var worst = 0.0
        for index in p.indices {
            var plus = p, minus = p
            plus[index] += 1e-6
            minus[index] -= 1e-6
            let numeric = (model.lossAndGradient(plus, sequences: sequences, gradient: false).loss
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

import Optimizers

@Suite("Studies: end to end")
struct StudiesTrainingTests {
    /// A small MLP learns the digits with the real optimizers (S3 without clipping, AdamW with).
    @Test(arguments: ["S3", "AdamW"])
    func mlpLearnsTheDigits(_ name: String) throws {
        let digits = try Digits.load()
        let (training, validation) = digits.split(seed: 2)
        let model = MLP(inputs: 64, hidden: 24, classes: 10)
        var parameters = FlatTensor(model.initialParameters(seed: 1, as: Float.self))
        var optimizer: any Optimizer = name == "S3" ? try S3(learningRate: 1e-2) : try AdamW(learningRate: 1e-2)
        var generator = StudyRandom(seed: 4)
        for _ in 0..<250 {
            let batch = (0..<32).map { _ in training[Int.random(in: 0..<training.count, using: &generator)] }
            let (_, gradient, _) = model.lossAndGradient(Array(parameters), images: digits.images,
                                                         labels: digits.labels, batch: batch)
            var gradients = FlatTensor(gradient)
            if name != "S3" { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1) }  // the paper's setting
            try optimizer.step(parameters: &parameters, gradients: gradients)
        }
        let (_, _, correct) = model.lossAndGradient(Array(parameters), images: digits.images,
                                                     labels: digits.labels, batch: validation)
        let accuracy = Double(correct) / Double(validation.count)
        #expect(accuracy > 0.9, "\(name) validation accuracy \(accuracy)")
    }
}

@Suite("Studies: spike definition")
struct SpikeTests {
    @Test func aSpikeExceedsOneAndAHalfTimesTheRecentMedian() {
        var losses = [Float](repeating: 1, count: 60)
        losses[55] = 1.6    // 1.6 > 1.5 * median(1) -> spike
        losses[57] = 1.4    // not a spike
        losses[20] = 1.6    // with only 20 steps before it: the median of those
        losses[1] = 1.5     // not more than 1.5 * median(1)
        losses[3] = 100     // 100 > 1.5 * median(1, 1.5, 1)
        losses.append(.nan) // a non-finite loss is a spike
        #expect(TrainingRun.spikes(in: losses) == [3, 20, 55, 60])
        // The window slides: 50 high losses long ago do not hide a spike now.
        let shifted = [Float](repeating: 10, count: 50) + [Float](repeating: 1, count: 50) + [1.6]
        #expect(TrainingRun.spikes(in: shifted) == [100])
    }
}

@Suite("Studies: SVG")
struct SVGTests {
    @Test func plotHasOneLinePerSeriesAndEscapesText() {
        let plot = SVGPlot(title: "a < b & c", xLabel: "step", yLabel: "loss", logY: true, series: [
            .init(name: "S3", values: [1, 0.5, 0.25, .nan, 0.1], marks: [2]),
            .init(name: "AdamW", values: [1, 0.6, 0, 0.2, 0.15]),  // 0 cannot be drawn on a log axis
        ])
        let svg = plot.render()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("a &lt; b &amp; c") && !svg.contains("a < b"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 1)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }
}

@Suite("Studies: text and protocol")
struct StudyProtocolTests {
    @Test func theTextLoadsAsCharacterTokens() throws {
        let corpus = try TextCorpus.load()
        #expect(corpus.tokens.count == 366_194 && corpus.vocabulary.count == 62)
        #expect(corpus.decode(Array(corpus.tokens.prefix(16))) == "In the beginning")
        #expect(corpus.encode("In the beginning") == Array(corpus.tokens.prefix(16)))
        #expect(corpus.validationStart == Int(0.9 * 366_194))
        var generator = StudyRandom(seed: 1)
        let windows = corpus.trainingWindows(100, length: 33, using: &generator)
        #expect(windows.allSatisfy { $0.count == 33 })
        let spread = corpus.evenlySpacedWindows(4, length: 10, in: corpus.validationStart..<corpus.tokens.count)
        #expect(spread.first == Array(corpus.tokens[corpus.validationStart..<(corpus.validationStart + 10)]))
        #expect(spread.count == 4 && spread.allSatisfy { $0.count == 10 })
    }

    /// The whole protocol on a tiny task: the shape of the result, the best rate is the search's
    /// lowest validation loss, 10x is ten times it, AdamW's long run has twice the steps, and
    /// the results do not depend on how the runs were spread over threads.
    @Test func theProtocolPicksTheBestRateAndIsDeterministic() throws {
        var study = Study(task: try DigitsTask(hidden: 4, batchSize: 8), steps: 6, seeds: [1, 2], learningRates: [1e-3, 1e-1])
        (study.betas, study.ps) = ([0.9], [1, 3])
        let result = try study.run(), again = try study.run()
        #expect(result.search.count == 12 && result.best.count == 6 && result.tenTimes.count == 6)
        #expect(result.ablation.count == 2 * Study<DigitsTask>.ablationVariants.count && result.grid.count == 1 && result.grid[0].count == 2)
        for (best, tenTimes) in zip(result.best, result.tenTimes) {
            let candidates = result.search.filter { $0.optimizer == best.optimizer }
            #expect(best.learningRate == candidates.min { $0.meanValidationLoss < $1.meanValidationLoss }!.learningRate)
            #expect(tenTimes.learningRate == 10 * best.learningRate && best.runs.map(\.seed) == [1, 2])
        }
        #expect(result.adamWAt2N.steps == 12 && result.adamWAt2N.runs[0].losses.count == 12)
        #expect(result.bfloat16.map(\.optimizer) == ["AdamW bfloat16 moments", "S3 bfloat16 moments"])
        #expect(result.bfloat16.map(\.learningRate) == [result.best[1].learningRate, result.best[5].learningRate])
        #expect(result.all.map { $0.runs.map(\.validationLoss) } == again.all.map { $0.runs.map(\.validationLoss) })
    }
}
