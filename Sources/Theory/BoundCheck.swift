/// The outcome of confronting an update bound with a real optimizer: the bound, the largest
/// update observed, and the gradient sequence that produced it.
public struct BoundCheck: Sendable, CustomStringConvertible {
    /// What was checked, e.g. "Adam (0.9, 0.999): constructed worst case".
    public let name: String
    /// The theoretical bound on |update| / lr.
    public let bound: Double
    /// The largest |update| / lr the real optimizer produced.
    public let observed: Double
    /// The gradient sequence (oldest first) that produced `observed`.
    public let sequence: [Float]
    /// The step of `sequence` (0-based) at which `observed` occurred.
    public let step: Int
    /// The relative excess over `bound` that float32 rounding can explain: the real optimizer
    /// accumulates one rounding per moving-average step, so `steps * 2^-23` for a sequence of
    /// `steps` gradients.
    public let tolerance: Double

    public init(name: String, bound: Double, observed: Double, sequence: [Float], step: Int) {
        (self.name, self.bound, self.observed, self.sequence, self.step) = (name, bound, observed, sequence, step)
        tolerance = Double(max(1, sequence.count)) * 0x1p-23
    }

    /// `bound - observed`: how far the optimizer stayed from its bound (negative: violated).
    public var slack: Double { bound - observed }
    /// `observed / bound`.
    public var ratio: Double { observed / bound }

    /// Whether `observed <= bound * (1 + tolerance)`: the bound holds up to float32 rounding.
    public var respectsBound: Bool {
        observed <= bound * (1 + tolerance)
    }

    public var description: String {
        "\(name): bound \(bound.formatted(4)), observed \(observed.formatted(4)) (\((100 * ratio).formatted(2))%) at step \(step)"
    }
}

extension Double {
    /// A fixed-point rendering with `digits` decimals ("inf" for infinity).
    func formatted(_ digits: Int) -> String {
        guard isFinite else { return self > 0 ? "inf" : "-inf" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (self * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: "."), !text.contains("e") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            text += String(repeating: "0", count: max(0, digits - decimals))
        }
        return text
    }
}
