// The one place that checks hyperparameters, learning rates and buffer counts.

/// Range checks that throw ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
enum Validate {
    /// A finite value >= 0 (learning rates, weight decay, momentum decay).
    static func nonNegative(_ name: String, _ value: Float) throws {
        guard value.isFinite && value >= 0 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "a finite value >= 0")
        }
    }

    /// A finite value > 0 (epsilon: with 0, a coordinate whose gradients were all zero divides 0 by 0).
    static func positive(_ name: String, _ value: Float) throws {
        guard value.isFinite && value > 0 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "a finite value > 0")
        }
    }

    /// An exponential-moving-average coefficient in [0, 1).
    static func coefficient(_ name: String, _ value: Float) throws {
        guard value >= 0 && value < 1 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "[0, 1)")
        }
    }

    /// A value in [0, 1].
    static func fraction(_ name: String, _ value: Float) throws {
        guard value >= 0 && value <= 1 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "[0, 1]")
        }
    }

    /// A finite value >= `minimum`.
    static func atLeast(_ minimum: Float, _ name: String, _ value: Float) throws {
        guard value.isFinite && value >= minimum else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "a finite value >= \(minimum)")
        }
    }

    /// An integer count >= `minimum` (schedule lengths).
    static func count(_ name: String, _ value: Int, minimum: Int) throws {
        guard value >= minimum else {
            throw OptimizerError.invalidHyperparameter(name: name, value: Float(value), allowed: "an integer >= \(minimum)")
        }
    }

    /// A state size given at initialisation.
    static func parameterCount(_ count: Int?) throws {
        if let count, count < 0 {
            throw OptimizerError.invalidHyperparameter(name: "parameterCount", value: Float(count), allowed: "an integer >= 0")
        }
    }

    /// Everything a step over `count` elements checks before it changes anything. Returns false
    /// when there is nothing to do (no elements).
    static func step(learningRate: Float, count: Int, gradients: FlatTensor, stateCount: Int?,
                     gradientCheck: GradientCheck) throws -> Bool {
        try nonNegative("learningRate", learningRate)
        if let stateCount, stateCount != count {
            throw OptimizerError.stateCountMismatch(state: stateCount, parameters: count)
        }
        if count == 0 { return false }
        if gradientCheck == .rejectNonFinite, !gradients.isKnownFinite, let index = firstNonFinite(gradients) {
            throw OptimizerError.nonFiniteGradient(index: index, value: gradients[index])
        }
        return true
    }

    /// The index of the first NaN or infinite element, or nil.
    static func firstNonFinite(_ values: FlatTensor) -> Int? {
        values.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return NonFiniteScan.firstNonFinite(base, count: buffer.count)
        }
    }
}
