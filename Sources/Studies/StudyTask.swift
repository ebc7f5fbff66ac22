import Optimizers

/// A model with its data, as the study protocol trains it.
public protocol StudyTask: Sendable {
    /// A fresh model's parameters, reproducible from `seed`.
    func initialParameters(seed: UInt64) -> [Float]
    /// The loss of a random training batch drawn with `generator`, and its gradient.
    func batchLossAndGradient(_ parameters: [Float], using generator: inout StudyRandom) -> (
        loss: Float, gradient: [Float]
    )
    /// The loss on a fixed set of training examples: the curve spikes are counted on.
    func probeLoss(_ parameters: [Float]) -> Float
    /// The loss and accuracy (of the class, or of the next character) on held-out data.
    func validate(_ parameters: [Float]) -> (loss: Float, accuracy: Float)
}

extension StudyTask {
    /// Trains for `steps` steps with a linear warmup (10% of the steps) and cosine decay to
    /// 10% of `learningRate`, clipping as `recipe` says, then validates. A non-finite loss or
    /// gradient ends the run (recorded as a spike).
    public func train(_ recipe: OptimizerRecipe, learningRate: Float, seed: UInt64, steps: Int) throws -> TrainingRun {
        var parameters = FlatTensor(initialParameters(seed: seed))
        var optimizer = try recipe.make(learningRate)
        optimizer.recordsTelemetry = true
        let schedule = try LearningRateSchedule.warmupCosine(
            peak: learningRate, warmupSteps: max(1, steps / 10),
            totalSteps: steps)
        var generator = StudyRandom(seed: seed &+ 1_000)
        var losses: [Float] = [], probeLosses: [Float] = []
        var largestUpdate: Float = 0
        for step in 0..<steps {
            let (loss, gradient) = batchLossAndGradient(Array(parameters), using: &generator)
            losses.append(loss)
            guard loss.isFinite else { break }
            var gradients = FlatTensor(gradient)
            if let threshold = recipe.clipping { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: threshold) }
            optimizer.learningRate = schedule(step)
            do {
                try optimizer.step(parameters: &parameters, gradients: gradients)
            } catch OptimizerError.nonFiniteGradient {
                break
            }
            largestUpdate = max(largestUpdate, optimizer.telemetry?.overall.largest ?? 0)
            probeLosses.append(probeLoss(Array(parameters)))
        }
        if losses.last?.isFinite == false || probeLosses.count < losses.count { probeLosses.append(.nan) }  // diverged
        let validation = validate(Array(parameters))
        return TrainingRun(
            optimizer: recipe.name, learningRate: learningRate, seed: seed, losses: losses,
            probeLosses: probeLosses, spikes: TrainingRun.spikes(in: probeLosses),
            largestUpdate: largestUpdate, validationLoss: validation.loss,
            validationAccuracy: validation.accuracy, parameters: Array(parameters))
    }
}
