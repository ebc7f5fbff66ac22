/// Why an optimizer, or a value that configures one, refused an input. Nothing was changed when
/// it is thrown.
public enum OptimizerError: Error, Equatable, Sendable {
    /// A hyperparameter (or a new learning rate) lies outside its valid range.
    case invalidHyperparameter(name: String, value: Float, allowed: String)
    /// `parameters` and `gradients` have different element counts.
    case countMismatch(parameters: Int, gradients: Int)
    /// The buffers' element count differs from the one the optimizer state was built for.
    case stateCountMismatch(state: Int, parameters: Int)
    /// The parameter groups were built for a buffer of another size.
    case groupCountMismatch(groups: Int, parameters: Int)
    /// A gradient element is NaN or infinite.
    case nonFiniteGradient(index: Int, value: Float)
    /// A parameter group is out of bounds, overlaps another, or has an invalid value.
    case invalidParameterGroup(name: String, reason: String)
    /// A shard range lies outside the parameter buffer.
    case invalidShard(shard: Range<Int>, parameters: Int)
    /// Caller-owned parameter and gradient buffers share memory.
    case overlappingBuffers
    /// Two tensors combined element by element have different counts.
    case tensorCountMismatch(expected: Int, found: Int)
    /// A range lies outside the buffer it indexes.
    case rangeOutOfBounds(range: Range<Int>, count: Int)
    /// The step counter is at `Int.max`; no further step can be counted.
    case stepLimitReached
}

extension OptimizerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidHyperparameter(name, value, allowed):
            "invalid \(name) = \(value): allowed \(allowed)"
        case let .countMismatch(parameters, gradients):
            "parameters have \(parameters) elements but gradients have \(gradients)"
        case let .stateCountMismatch(state, parameters):
            "optimizer state was built for \(state) elements but the buffers have \(parameters)"
        case let .groupCountMismatch(groups, parameters):
            "parameter groups were built for \(groups) elements but the parameters have \(parameters)"
        case let .nonFiniteGradient(index, value):
            "gradient[\(index)] = \(value) is not finite; nothing was updated"
        case let .invalidParameterGroup(name, reason):
            "invalid parameter group \"\(name)\": \(reason)"
        case let .invalidShard(shard, parameters):
            "shard \(shard) is outside the \(parameters) parameters"
        case let .tensorCountMismatch(expected, found):
            "the tensors have \(expected) and \(found) elements; they must have the same count"
        case let .rangeOutOfBounds(range, count):
            "range \(range) is outside the \(count) elements"
        case .overlappingBuffers:
            "the parameter and gradient buffers overlap; they must be separate memory"
        case .stepLimitReached:
            "the step counter is at Int.max; no further step can be taken"
        }
    }
}
