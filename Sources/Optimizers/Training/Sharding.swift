/// Splitting a parameter buffer among data-parallel workers (ZeRO stage 1): each worker keeps
/// the optimizer state of one shard only and steps it with
/// ``StatefulOptimizer/step(shard:of:gradients:groups:)-(_,FlatTensor,_,_)``; the shards'
/// parameters are then all-gathered.
public enum Sharding {
    /// `shards` contiguous ranges covering `0..<parameterCount`, as equal as possible, with
    /// boundaries on multiples of 16 elements (64-byte cache lines).
    ///
    /// - Parameters:
    ///   - parameterCount: The buffer's element count, >= 0.
    ///   - shards: The number of ranges, from 1 to 65,536.
    /// - Returns: The ranges, in order; some are empty when `parameterCount` is small.
    /// - Throws: ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
    public static func ranges(parameterCount: Int, shards: Int) throws -> [Range<Int>] {
        try Validate.parameterCount(parameterCount)
        try Validate.count("shards", shards, in: 1...65_536)
        return (0..<shards).map { chunkRange($0, of: shards, in: 0..<parameterCount) }
    }
}
