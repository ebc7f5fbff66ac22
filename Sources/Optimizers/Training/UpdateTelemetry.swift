import _OptimizersKernels

/// Statistics of one step's per-coordinate updates, `|x_after - x_before| / lr`.
///
/// With weight decay 0 this is exactly the quantity Theorems 1 and 2 of Peng et al. 2025 bound
/// (S3: at most 1; Adam: up to about 7.3 at (0.9, 0.999)); with decoupled weight decay it
/// also contains `wd * |x|`. A `largest` that jumps is an early warning of a loss spike.
public struct UpdateStatistics: Sendable, Equatable, Codable {
    /// The largest `|update| / lr` over the elements.
    public var largest: Float
    /// The root mean square of `update / lr`.
    public var rms: Float
    /// The number of elements.
    public var count: Int

    init(_ partial: PartialUpdateStatistics) {
        largest = partial.largest
        rms = partial.count == 0 ? 0 : Float((partial.sumOfSquares / Double(partial.count)).squareRoot())
        count = partial.count
    }
}

/// What a step recorded when ``StatefulOptimizer/recordsTelemetry`` is on: the statistics over
/// all updated elements, and per parameter group (elements outside every group are reported
/// under ``UpdateTelemetry/ungrouped``). Frozen groups and groups with a learning-rate scale
/// of 0 are left out (they have no rate to divide by).
public struct UpdateTelemetry: Sendable, Equatable, Codable {
    /// The key of the elements outside every group.
    public static let ungrouped = "(ungrouped)"

    /// Over every updated element.
    public var overall: UpdateStatistics
    /// Per group name.
    public var groups: [String: UpdateStatistics]
}
