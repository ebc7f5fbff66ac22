/// The digits MLP: batches of `batchSize` training images drawn with replacement; spikes are
/// counted on a fixed probe set of 256 training images.
public struct DigitsTask: StudyTask {
    public let model: MLP
    public let digits: Digits
    public let training: [Int], validation: [Int]
    public let batchSize: Int

    public init(hidden: Int = 32, batchSize: Int = 32) throws {
        digits = try Digits.load()
        (training, validation) = digits.split(seed: 0)
        model = MLP(inputs: Digits.pixels, hidden: hidden, classes: Digits.classes)
        self.batchSize = batchSize
    }

    public func initialParameters(seed: UInt64) -> [Float] { model.initialParameters(seed: seed) }

    public func batchLossAndGradient(_ parameters: [Float], using generator: inout StudyRandom) -> (
        loss: Float, gradient: [Float]
    ) {
        let batch = (0..<batchSize).map { _ in training[Int.random(in: 0..<training.count, using: &generator)] }
        let result = model.lossAndGradient(parameters, images: digits.images, labels: digits.labels, batch: batch)
        return (result.loss, result.gradient)
    }

    public func probeLoss(_ parameters: [Float]) -> Float {
        model.lossAndGradient(
            parameters, images: digits.images, labels: digits.labels,
            batch: Array(training.prefix(256)), gradient: false
        ).loss
    }

    public func validate(_ parameters: [Float]) -> (loss: Float, accuracy: Float) {
        let result = model.lossAndGradient(
            parameters, images: digits.images, labels: digits.labels,
            batch: validation, gradient: false)
        return (result.loss, Float(result.correct) / Float(validation.count))
    }
}

/// The character-level transformer on the shipped text: batches of `batchSize` random windows
/// of the training part; spikes are counted on 8 fixed training windows; validation is the
/// mean loss (nats per character) and next-character accuracy over 256 windows spread evenly
/// over the validation part.
public struct LanguageModelTask: StudyTask {
    public let model: Transformer
    public let corpus: TextCorpus
    public let batchSize: Int
    let probe: [[Int]], validation: [[Int]]

    public init(context: Int = 32, width: Int = 32, heads: Int = 2, blocks: Int = 2, batchSize: Int = 8) throws {
        corpus = try TextCorpus.load()
        model = Transformer(
            vocabulary: corpus.vocabulary.count, context: context, width: width, heads: heads, blocks: blocks)
        self.batchSize = batchSize
        probe = corpus.evenlySpacedWindows(8, length: context + 1, in: 0..<corpus.validationStart)
        validation = corpus.evenlySpacedWindows(
            256, length: context + 1, in: corpus.validationStart..<corpus.tokens.count)
    }

    public func initialParameters(seed: UInt64) -> [Float] { model.initialParameters(seed: seed) }

    public func batchLossAndGradient(_ parameters: [Float], using generator: inout StudyRandom) -> (
        loss: Float, gradient: [Float]
    ) {
        let batch = corpus.trainingWindows(batchSize, length: model.context + 1, using: &generator)
        let result = model.lossAndGradient(parameters, sequences: batch)
        return (result.loss, result.gradient)
    }

    public func probeLoss(_ parameters: [Float]) -> Float {
        model.lossAndGradient(parameters, sequences: probe, gradient: false).loss
    }

    public func validate(_ parameters: [Float]) -> (loss: Float, accuracy: Float) {
        let result = model.lossAndGradient(parameters, sequences: validation, gradient: false)
        return (result.loss, Float(result.correct) / Float(validation.count * model.context))
    }
}
