import Optimizers

/// Runs a real optimizer of the `Optimizers` module over many gradient sequences at once and
/// reads off its per-coordinate update `|x_{t+1} - x_t| / lr`.
///
/// The optimizers are element-wise, so sequence `j` lives in coordinate `j` of one buffer and
/// all sequences advance together. The learning rate is 1 and the parameters are reset to 0
/// before every step (weight decay must be 0), so the parameter after the step *is* minus the
/// update, read with a single rounding.
public struct UpdateProbe {
    /// Builds a fresh optimizer (learning rate 1, weight decay 0).
    public let make: () throws -> any Optimizer

    public init(_ make: @escaping () throws -> any Optimizer) {
        self.make = make
    }

    /// For each of `sequences` (equal lengths, oldest gradient first), the largest `|update|`
    /// over its steps and the step (0-based) where it occurred, or the last step's update when
    /// `lastStepOnly`.
    public func largestUpdates(_ sequences: [[Float]], lastStepOnly: Bool = false) throws -> [(
        value: Double, step: Int
    )] {
        guard let length = sequences.first?.count else { return [] }
        precondition(sequences.allSatisfy { $0.count == length }, "sequences must have equal lengths")
        var optimizer = try make()
        var largest = [(value: Double, step: Int)](repeating: (0, 0), count: sequences.count)
        for t in 0..<length {
            var x = FlatTensor(zeros: sequences.count)
            try optimizer.step(parameters: &x, gradients: FlatTensor(sequences.map { $0[t] }))
            guard !lastStepOnly || t == length - 1 else { continue }
            for j in sequences.indices where Double(abs(x[j])) > largest[j].value || lastStepOnly {
                largest[j] = (Double(abs(x[j])), t)
            }
        }
        return largest
    }

    /// The real AdamW with weight decay 0 (Adam) and `epsilon` 1e-30, so that the update is
    /// `m_hat / sqrt(v_hat)` as in Theorem 1 (which takes eps -> 0).
    public static func adam(beta1: Float, beta2: Float) -> UpdateProbe {
        UpdateProbe { try AdamW(learningRate: 1, beta1: beta1, beta2: beta2, epsilon: 1e-30, weightDecay: 0) }
    }

    /// The real S3 with weight decay 0 and `epsilon` 1e-30.
    public static func s3(beta1: Float, beta2: Float, p: Float, nesterov: Bool = true) -> UpdateProbe {
        UpdateProbe {
            try S3(
                learningRate: 1, beta1: beta1, beta2: beta2, p: p, epsilon: 1e-30, weightDecay: 0, nesterov: nesterov)
        }
    }
}
