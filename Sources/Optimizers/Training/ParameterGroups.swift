/// A named range of a model's flat parameter buffer with its own learning-rate multiplier and
/// weight decay (typically: no decay on biases and norms).
public struct ParameterGroup: Sendable, Equatable, Codable {
    public var name: String
    /// The elements of the buffer this group owns.
    public var range: Range<Int>
    /// Multiplies the optimizer's learning rate for this group; finite and >= 0.
    public var learningRateScale: Float
    /// This group's weight decay, or nil for the optimizer's configured one.
    public var weightDecay: Float?

    public init(_ name: String, _ range: Range<Int>, learningRateScale: Float = 1, weightDecay: Float? = nil) {
        (self.name, self.range, self.learningRateScale, self.weightDecay) = (name, range, learningRateScale, weightDecay)
    }
}

/// Validated, non-overlapping groups over a buffer of `parameterCount` elements. Elements that
/// no group names are updated with the optimizer's own learning rate and weight decay.
public struct ParameterGroups: Sendable, Equatable, Codable {
    /// The groups, in buffer order.
    public let groups: [ParameterGroup]
    public let parameterCount: Int

    /// Throws ``OptimizerError/invalidParameterGroup(name:reason:)`` for a range outside
    /// `0..<parameterCount`, two groups that overlap, a repeated name, or an invalid value.
    public init(parameterCount: Int, _ groups: [ParameterGroup]) throws {
        try Validate.parameterCount(parameterCount)
        let sorted = groups.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var names = Set<String>()
        for (index, group) in sorted.enumerated() {
            func fail(_ reason: String) -> OptimizerError { .invalidParameterGroup(name: group.name, reason: reason) }
            guard names.insert(group.name).inserted else { throw fail("the name is used twice") }
            guard group.range.lowerBound >= 0, group.range.upperBound <= parameterCount else {
                throw fail("range \(group.range) is outside 0..<\(parameterCount)")
            }
            if index > 0, sorted[index - 1].range.overlaps(group.range) {
                throw fail("range \(group.range) overlaps group \"\(sorted[index - 1].name)\" (\(sorted[index - 1].range))")
            }
            guard group.learningRateScale.isFinite, group.learningRateScale >= 0 else {
                throw fail("learningRateScale \(group.learningRateScale) is not a finite value >= 0")
            }
            if let decay = group.weightDecay, !(decay.isFinite && decay >= 0) {
                throw fail("weightDecay \(decay) is not a finite value >= 0")
            }
        }
        (self.groups, self.parameterCount) = (sorted, parameterCount)
    }

    /// The group named `name`.
    public subscript(name: String) -> ParameterGroup? {
        groups.first { $0.name == name }
    }

    /// The segments that fall inside `shard`, with ranges relative to the shard's start.
    func segments(within shard: Range<Int>) -> [(range: Range<Int>, scale: Float, weightDecay: Float?, name: String)] {
        segments().compactMap { segment in
            let clamped = segment.range.clamped(to: shard)
            guard !clamped.isEmpty else { return nil }
            return ((clamped.lowerBound - shard.lowerBound)..<(clamped.upperBound - shard.lowerBound),
                    segment.scale, segment.weightDecay, segment.name)
        }
    }

    /// The buffer cut into consecutive segments, each with its learning-rate scale and weight
    /// decay (nil: the optimizer's own); gaps between groups get scale 1 and nil.
    func segments() -> [(range: Range<Int>, scale: Float, weightDecay: Float?, name: String)] {
        var result: [(Range<Int>, Float, Float?, String)] = []
        var start = 0
        let gap = UpdateTelemetry.ungrouped
        for group in groups {
            if start < group.range.lowerBound { result.append((start..<group.range.lowerBound, 1, nil, gap)) }
            if !group.range.isEmpty { result.append((group.range, group.learningRateScale, group.weightDecay, group.name)) }
            start = group.range.upperBound
        }
        if start < parameterCount { result.append((start..<parameterCount, 1, nil, gap)) }
        return result
    }
}
