import Optimizers

/// What one training run produced.
public struct TrainingRun: Sendable {
    public let optimizer: String
    public let learningRate: Float
    public let seed: UInt64
    /// Training loss of every step's batch.
    public let losses: [Float]
    /// After every step, the loss on a fixed probe set of training examples: the curve spikes
    /// are counted on (mini-batch losses are too noisy for a 1.5x threshold).
    public let probeLosses: [Float]
    /// Steps counted as loss spikes on ``probeLosses`` (see ``spikes(in:window:factor:)``).
    public let spikes: [Int]
    /// The largest `|update| / lr` over the run (from the optimizer's telemetry).
    public let largestUpdate: Float
    public let validationLoss: Float
    public let validationAccuracy: Float
    /// The parameters after the last step.
    public let parameters: [Float]

    /// A loss spike: a step whose loss exceeds `factor` times the median of the previous
    /// `window` steps' losses (1.5 and 50 by default; of all previous steps in the first
    /// `window` steps); non-finite losses count too.
    public static func spikes(in losses: [Float], window: Int = 50, factor: Float = 1.5) -> [Int] {
        losses.indices.filter { step in
            guard losses[step].isFinite else { return true }
            guard step > 0 else { return false }
            let previous = losses[max(0, step - window)..<step].sorted()
            return losses[step] > factor * previous[previous.count / 2]
        }
    }
}
