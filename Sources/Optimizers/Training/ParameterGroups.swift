/// A named set of ranges of a model's flat parameter buffer with its own learning-rate
/// multiplier and weight decay, or frozen.
///
/// One group can own the biases and norms of every layer: "no weight decay on biases and
/// norms" across twelve layers is one group with twelve ranges.
public struct ParameterGroup: Sendable, Equatable, Codable {
    /// The group's name, unique among the groups; telemetry reports the group under it.
    public var name: String
    /// The elements of the buffer this group owns; empty ranges are ignored.
    public var ranges: [Range<Int>]
    /// Multiplies the optimizer's learning rate for this group; finite and >= 0. A scale of 0
    /// leaves the parameters where they are but still updates their optimizer state (use
    /// ``frozen`` to leave both alone).
    public var learningRateScale: Float
    /// This group's weight decay, or nil for the optimizer's configured one.
    public var weightDecay: Float?
    /// A frozen group's parameters and optimizer state are left bit for bit as they are (as
    /// PyTorch does for a parameter without a gradient).
    ///
    /// The optimizer's step count still advances, since it is shared by all groups. For AdamW,
    /// NAdam and Adan this means that after unfreezing, the bias correction `1 - beta^t`
    /// counts steps the group's moments did not take: the first steps after unfreezing are
    /// then smaller than those of a fresh start (the moments are treated as older than they
    /// are). S3, Lion and SGDM have no bias correction and resume exactly where they stopped.
    public var frozen: Bool

    /// A group owning `ranges`.
    ///
    /// - Parameters:
    ///   - name: Unique among the groups (and not `"(ungrouped)"`, which telemetry uses for
    ///     elements outside every group).
    ///   - ranges: The elements this group owns; they must not overlap each other or another
    ///     group's. Empty ranges are ignored.
    ///   - learningRateScale: Multiplies the optimizer's learning rate; finite and >= 0.
    ///   - weightDecay: This group's weight decay, or nil for the optimizer's.
    ///   - frozen: Leave the parameters and their state untouched.
    public init(
        _ name: String, ranges: [Range<Int>], learningRateScale: Float = 1, weightDecay: Float? = nil,
        frozen: Bool = false
    ) {
        (self.name, self.ranges, self.learningRateScale) = (name, ranges, learningRateScale)
        (self.weightDecay, self.frozen) = (weightDecay, frozen)
    }

    /// A group owning one range.
    ///
    /// - Parameters:
    ///   - name: Unique among the groups (and not `"(ungrouped)"`).
    ///   - range: The elements this group owns.
    ///   - learningRateScale: Multiplies the optimizer's learning rate; finite and >= 0.
    ///   - weightDecay: This group's weight decay, or nil for the optimizer's.
    ///   - frozen: Leave the parameters and their state untouched.
    public init(
        _ name: String, _ range: Range<Int>, learningRateScale: Float = 1, weightDecay: Float? = nil,
        frozen: Bool = false
    ) {
        self.init(name, ranges: [range], learningRateScale: learningRateScale, weightDecay: weightDecay, frozen: frozen)
    }
}

/// Validated, non-overlapping groups over a buffer of `parameterCount` elements. Elements that
/// no group names are updated with the optimizer's own learning rate and weight decay.
///
/// Every value of this type is valid: the initialiser and decoding check the same things.
public struct ParameterGroups: Sendable, Equatable, Codable {
    /// The groups, as given.
    public let groups: [ParameterGroup]
    /// The element count of the buffer the groups were validated for.
    public let parameterCount: Int
    /// The buffer cut into consecutive segments in buffer order, each with the index of its
    /// group, or nil for elements outside every group.
    private let segments: [(range: Range<Int>, group: Int?)]

    /// Validates `groups` over a buffer of `parameterCount` elements.
    ///
    /// - Parameters:
    ///   - parameterCount: The element count of the buffer the groups index, >= 0.
    ///   - groups: The groups; their ranges must lie in `0..<parameterCount` and not overlap.
    /// - Throws: ``OptimizerError/invalidParameterGroup(name:reason:)`` for a range outside
    ///   `0..<parameterCount`, two ranges that overlap (in one group or two), a repeated or
    ///   reserved name, or an invalid value; ``OptimizerError/invalidHyperparameter(name:value:allowed:)``
    ///   for a negative `parameterCount`.
    public init(parameterCount: Int, _ groups: [ParameterGroup]) throws {
        try Validate.parameterCount(parameterCount)
        var names = Set<String>()
        var owned: [(range: Range<Int>, group: Int)] = []
        for (index, group) in groups.enumerated() {
            func fail(_ reason: String) -> OptimizerError { .invalidParameterGroup(name: group.name, reason: reason) }
            guard group.name != UpdateTelemetry.ungrouped else {
                throw fail("the name is reserved for the elements outside every group")
            }
            guard names.insert(group.name).inserted else { throw fail("the name is used twice") }
            guard group.learningRateScale.isFinite, group.learningRateScale >= 0 else {
                throw fail("learningRateScale \(group.learningRateScale) is not a finite value >= 0")
            }
            if let decay = group.weightDecay, !(decay.isFinite && decay >= 0) {
                throw fail("weightDecay \(decay) is not a finite value >= 0")
            }
            for range in group.ranges {
                guard range.lowerBound >= 0, range.upperBound <= parameterCount else {
                    throw fail("range \(range) is outside 0..<\(parameterCount)")
                }
                if !range.isEmpty { owned.append((range, index)) }
            }
        }
        // Sorted by start and without empty ranges, two ranges overlap only if neighbours do.
        owned.sort { $0.range.lowerBound < $1.range.lowerBound }
        var segments: [(range: Range<Int>, group: Int?)] = []
        var start = 0
        for (position, piece) in owned.enumerated() {
            if position > 0, owned[position - 1].range.overlaps(piece.range) {
                let other = owned[position - 1]
                throw OptimizerError.invalidParameterGroup(
                    name: groups[piece.group].name,
                    reason: "range \(piece.range) overlaps \(other.range) of group \"\(groups[other.group].name)\"")
            }
            if start < piece.range.lowerBound { segments.append((start..<piece.range.lowerBound, nil)) }
            segments.append((piece.range, piece.group))
            start = piece.range.upperBound
        }
        if start < parameterCount { segments.append((start..<parameterCount, nil)) }
        (self.groups, self.parameterCount, self.segments) = (groups, parameterCount, segments)
    }

    /// No groups: one segment over the whole buffer.
    static func ungrouped(_ parameterCount: Int) -> ParameterGroups {
        // Cannot throw: no groups, and the count is a buffer's.
        try! ParameterGroups(parameterCount: parameterCount, [])
    }

    /// The group named `name`.
    public subscript(name: String) -> ParameterGroup? {
        groups.first { $0.name == name }
    }

    /// Calls `body` for each non-empty segment inside `shard`, in buffer order, with its range
    /// relative to the shard's start and its group (nil outside every group).
    func forEachSegment(within shard: Range<Int>, _ body: (Range<Int>, ParameterGroup?) -> Void) {
        for segment in segments {
            let clamped = segment.range.clamped(to: shard)
            guard !clamped.isEmpty else { continue }
            body(
                (clamped.lowerBound - shard.lowerBound)..<(clamped.upperBound - shard.lowerBound),
                segment.group.map { groups[$0] })
        }
    }

    public static func == (a: ParameterGroups, b: ParameterGroups) -> Bool {
        a.groups == b.groups && a.parameterCount == b.parameterCount
    }

    private enum CodingKeys: String, CodingKey { case groups, parameterCount }

    /// Decodes and validates, as ``init(parameterCount:_:)`` does.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError`, or ``OptimizerError`` for groups that fail validation.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            parameterCount: values.decode(Int.self, forKey: .parameterCount),
            values.decode([ParameterGroup].self, forKey: .groups))
    }

    /// Encodes the groups and the element count.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: The encoder's error.
    public func encode(to encoder: any Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(groups, forKey: .groups)
        try values.encode(parameterCount, forKey: .parameterCount)
    }
}
