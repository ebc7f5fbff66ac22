import Optimizers

/// What one training run produced.
public struct TrainingRun: Sendable {
    public let optimizer: String
    public let learningRate: Float
    public let seed: UInt64
    /// Training loss of every step's batch.
    public let losses: [Float]
    /// After every step, the loss on a fixed probe set of training images: the curve spikes
    /// are counted on (mini-batch losses are too noisy for a 1.5x threshold).
    public let probeLosses: [Float]
    /// Steps counted as loss spikes on ``probeLosses`` (see ``spikes(in:window:factor:)``).
    public let spikes: [Int]
    /// The largest `|update| / lr` over the run (from the optimizer's telemetry).
    public let largestUpdate: Float
    public let validationLoss: Float
    public let validationAccuracy: Float

    /// A loss spike: a step whose training loss exceeds `factor` times the median of the
    /// previous `window` steps' losses (1.5 and 50 by default); non-finite losses count too.
    public static func spikes(in losses: [Float], window: Int = 50, factor: Float = 1.5) -> [Int] {
        losses.indices.filter { step in
            guard losses[step].isFinite else { return true }
            guard step >= window else { return false }
            let previous = losses[(step - window)..<step].sorted()
            return losses[step] > factor * previous[window / 2]
        }
    }
}

extension MLP {
    /// Trains on `training` rows of `digits` for `steps` steps of `batchSize` with a linear
    /// warmup (10% of the steps) and cosine decay to 10% of `learningRate`, then evaluates on
    /// `validation`.
    public func train(_ recipe: OptimizerRecipe, learningRate: Float, seed: UInt64, steps: Int, batchSize: Int,
                      digits: Digits, training: [Int], validation: [Int]) throws -> TrainingRun {
        var parameters = FlatTensor(initialParameters(seed: seed, as: Float.self))
        var optimizer = try recipe.make(learningRate)
        optimizer.recordsTelemetry = true
        let schedule = try LearningRateSchedule.warmupCosine(peak: learningRate, warmupSteps: max(1, steps / 10),
                                                             totalSteps: steps)
        var generator = StudyRandom(seed: seed &+ 1_000)
        var losses: [Float] = [], probeLosses: [Float] = []
        let probe = Array(training.prefix(256))  // fixed: the same images after every step
        var largestUpdate: Float = 0
        for step in 0..<steps {
            let batch = (0..<batchSize).map { _ in training[Int.random(in: 0..<training.count, using: &generator)] }
            let (loss, gradient, _) = lossAndGradient(Array(parameters), images: digits.images,
                                                      labels: digits.labels, batch: batch)
            losses.append(loss)
            guard loss.isFinite else { break }  // diverged: the run ends here, its spike recorded
            var gradients = FlatTensor(gradient)
            if let threshold = recipe.clipping { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: threshold) }
            optimizer.learningRate = schedule(step)
            do {
                try optimizer.step(parameters: &parameters, gradients: gradients)
            } catch OptimizerError.nonFiniteGradient {
                break
            }
            largestUpdate = max(largestUpdate, optimizer.telemetry?.overall.largest ?? 0)
            probeLosses.append(lossAndGradient(Array(parameters), images: digits.images, labels: digits.labels,
                                               batch: probe, gradient: false).loss)
        }
        let evaluation = lossAndGradient(Array(parameters), images: digits.images, labels: digits.labels,
                                         batch: validation, gradient: false)
        if losses.last?.isFinite == false { probeLosses.append(.nan) }  // the divergence is a spike
        return TrainingRun(optimizer: recipe.name, learningRate: learningRate, seed: seed, losses: losses,
                           probeLosses: probeLosses, spikes: TrainingRun.spikes(in: probeLosses),
                           largestUpdate: largestUpdate,
                           validationLoss: evaluation.loss,
                           validationAccuracy: Float(evaluation.correct) / Float(validation.count))
    }
}
