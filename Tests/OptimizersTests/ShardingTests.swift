import Foundation
import Optimizers
import Testing

@Suite("Sharded steps")
struct ShardingTests {
    /// Three shard optimizers, each with only its shard's gradients and state, produce the
    /// whole-buffer optimizer's parameters bit for bit, with parameter groups crossing shards.
    @Test(arguments: Catalog.all)
    func shardsEqualTheWholeBuffer(_ entry: Entry) throws {
        let count = 203
        let groups = try ParameterGroups(parameterCount: count, [
            ParameterGroup("embedding", 0..<90, learningRateScale: 0.5, weightDecay: 0.1),
            ParameterGroup("norms", 120..<150, weightDecay: 0),
        ])
        let shards = try Sharding.ranges(parameterCount: count, shards: 3)
        var whole = try entry.make(learningRate: 1e-2)
        var parts = try shards.map { _ in try entry.make(learningRate: 1e-2) }
        var rng = SplitMix64(seed: 17)
        var x = FlatTensor((0..<count).map { _ in rng.float(exponents: -4...0) })
        var sharded = x
        for _ in 0..<6 {
            let g = FlatTensor((0..<count).map { _ in rng.float(exponents: -12...4, zeroQuarters: 1) })
            try stepGrouped(&whole, &x, g, groups)
            for (index, shard) in shards.enumerated() {
                try stepShard(&parts[index], shard, &sharded, FlatTensor(g[shard]), groups)
            }
        }
        #expect(x.map(\.bitPattern) == sharded.map(\.bitPattern), "\(entry.name)")
    }

    @Test func shardRangesCoverTheBuffer() throws {
        let ranges = try Sharding.ranges(parameterCount: 1000, shards: 3)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1000)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && $1.lowerBound % 16 == 0 })
        #expect(throws: OptimizerError.self) { try Sharding.ranges(parameterCount: 10, shards: 0) }
    }

    @Test func invalidShardsChangeNothing() throws {
        var optimizer = try S3(learningRate: 1e-2)
        var x = FlatTensor(repeating: 1, count: 10)
        try optimizer.step(shard: 2..<6, of: &x, gradients: [1, 2, 3, 4])
        let (before, xBefore) = (optimizer, x)
        #expect(throws: OptimizerError.invalidShard(shard: 8..<12, parameters: 10)) {
            try optimizer.step(shard: 8..<12, of: &x, gradients: [1, 2, 3, 4])
        }
        #expect(throws: OptimizerError.countMismatch(parameters: 4, gradients: 3)) {
            try optimizer.step(shard: 2..<6, of: &x, gradients: [1, 2, 3])
        }
        #expect(throws: OptimizerError.stateCountMismatch(state: 4, parameters: 5)) {
            try optimizer.step(shard: 2..<7, of: &x, gradients: [1, 2, 3, 4, 5])
        }
        #expect(optimizer == before && x == xBefore)
        #expect(Array(x[0..<2]) == [1, 1] && Array(x[6...]) == [1, 1, 1, 1], "outside the shard nothing moved")
        // A shard optimizer checkpoints like any other.
        #expect(try S3(restoring: Checkpoint(binaryRepresentation: optimizer.checkpoint.binaryRepresentation())) == optimizer)
    }
}
