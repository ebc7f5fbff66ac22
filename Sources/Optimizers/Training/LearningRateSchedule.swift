#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

/// A learning rate as a pure function of the step: `schedule(t)` is the rate of step `t`
/// (0 for the first step), with no hidden state, so resuming at step `k` gives the rate the
/// uninterrupted run had.
///
/// ```swift
/// let schedule = try LearningRateSchedule.warmupCosine(peak: 3e-3, warmupSteps: 100, totalSteps: 10_000)
/// optimizer.learningRate = schedule(optimizer.stepCount)   // before each step
/// ```
public struct LearningRateSchedule: Sendable {
    private let rate: @Sendable (Int) -> Float

    /// A schedule from any closed-form function of the step (negative steps are treated as 0).
    ///
    /// - Parameter rate: The learning rate of each step, from 0; it should be finite and >= 0
    ///   (an optimizer given anything else throws at its next step).
    public init(_ rate: @escaping @Sendable (Int) -> Float) {
        self.rate = rate
    }

    /// The learning rate of step `step` (0-based).
    ///
    /// - Parameter step: The step count before the step (`optimizer.stepCount`).
    /// - Returns: The learning rate to use for that step.
    public func callAsFunction(_ step: Int) -> Float {
        rate(max(0, step))
    }

    /// `value` at every step.
    ///
    /// - Parameter value: Finite and >= 0.
    /// - Returns: The schedule.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the invalid argument.
    public static func constant(_ value: Float) throws -> LearningRateSchedule {
        try Validate.nonNegative("learningRate", value)
        return LearningRateSchedule { _ in value }
    }

    /// Linear warmup: `peak * (t + 1) / steps` for `t < steps` (so the first step is not
    /// wasted at 0 and step `steps - 1` reaches the peak), then `peak`.
    ///
    /// - Parameters:
    ///   - peak: The rate after warmup; finite and >= 0.
    ///   - steps: The warmup's length; >= 1.
    /// - Returns: The schedule.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the invalid argument.
    public static func linearWarmup(to peak: Float, steps: Int) throws -> LearningRateSchedule {
        try Validate.nonNegative("peak", peak)
        try Validate.count("steps", steps, minimum: 1)
        return LearningRateSchedule { t in t >= steps ? peak : peak * Float(t + 1) / Float(steps) }
    }

    /// Cosine decay from `peak` at step 0 to `floor` at step `steps`, then `floor`:
    /// `floor + (peak - floor) * (1 + cos(pi * t / steps)) / 2`.
    ///
    /// - Parameters:
    ///   - peak: The rate at step 0; finite and >= 0.
    ///   - floor: The rate from step `steps` on; finite and >= 0.
    ///   - steps: The decay's length; >= 1.
    /// - Returns: The schedule.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the invalid argument.
    public static func cosineDecay(from peak: Float, to floor: Float, steps: Int) throws -> LearningRateSchedule {
        try Validate.nonNegative("peak", peak)
        try Validate.nonNegative("floor", floor)
        try Validate.count("steps", steps, minimum: 1)
        return LearningRateSchedule { t in
            guard t < steps else { return floor }
            let cosine = 0.5 * (1 + cos(Double.pi * Double(t) / Double(steps)))
            return Float(Double(floor) + Double(peak - floor) * cosine)
        }
    }

    /// The paper's recipe: linear warmup to `peak` over `warmupSteps`, then cosine decay to
    /// `finalFraction * peak` (10% by default) at `totalSteps`.
    ///
    /// - Parameters:
    ///   - peak: The rate at the end of warmup; finite and >= 0.
    ///   - warmupSteps: The warmup's length; >= 0 (0: the decay starts at `peak`).
    ///   - totalSteps: Where the decay ends; > `warmupSteps`.
    ///   - finalFraction: The floor as a fraction of `peak`, in [0, 1].
    /// - Returns: The schedule.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the invalid argument.
    public static func warmupCosine(
        peak: Float, warmupSteps: Int, totalSteps: Int,
        finalFraction: Float = 0.1
    ) throws -> LearningRateSchedule {
        try Validate.fraction("finalFraction", finalFraction)
        try Validate.count("warmupSteps", warmupSteps, in: 0...(Int.max - 1))
        try Validate.count("totalSteps", totalSteps, minimum: warmupSteps + 1)
        return try join(
            [
                .linearWarmup(to: peak, steps: max(1, warmupSteps)),
                .cosineDecay(from: peak, to: peak * finalFraction, steps: totalSteps - warmupSteps),
            ],
            boundaries: [warmupSteps])
    }

    /// `initial * factor^(t / every)` (integer division): multiplied by `factor` every `every` steps.
    ///
    /// - Parameters:
    ///   - initial: The rate of the first `every` steps; finite and >= 0.
    ///   - factor: The multiplier, in [0, 1].
    ///   - every: Steps between multiplications; >= 1.
    /// - Returns: The schedule.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the invalid argument.
    public static func stepDecay(initial: Float, factor: Float, every: Int) throws -> LearningRateSchedule {
        try Validate.nonNegative("initial", initial)
        try Validate.fraction("factor", factor)
        try Validate.count("every", every, minimum: 1)
        return LearningRateSchedule { t in Float(Double(initial) * pow(Double(factor), Double(t / every))) }
    }

    /// `schedules[0]` before `boundaries[0]`, then `schedules[1]` counting its steps from
    /// `boundaries[0]`, and so on (optax's `join_schedules`). Boundaries must increase.
    ///
    /// - Parameters:
    ///   - schedules: The pieces, in order.
    ///   - boundaries: The steps where each next piece starts; one fewer than `schedules`,
    ///     non-negative and increasing.
    /// - Returns: The joined schedule.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)`` naming the invalid argument.
    public static func join(_ schedules: [LearningRateSchedule], boundaries: [Int]) throws -> LearningRateSchedule {
        guard schedules.count == boundaries.count + 1 else {
            throw OptimizerError.invalidHyperparameter(
                name: "boundaries", value: Float(boundaries.count),
                allowed: "one fewer than the \(schedules.count) schedules")
        }
        for (index, boundary) in boundaries.enumerated()
        where boundary < 0 || (index > 0 && boundary <= boundaries[index - 1]) {
            throw OptimizerError.invalidHyperparameter(
                name: "boundaries[\(index)]", value: Float(boundary),
                allowed: "non-negative and increasing")
        }
        return LearningRateSchedule { t in
            let index = boundaries.firstIndex { t < $0 } ?? boundaries.count
            return schedules[index](t - (index == 0 ? 0 : boundaries[index - 1]))
        }
    }
}
