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
        let groups = try ParameterGroups(
            parameterCount: count,
            [
                ParameterGroup("embedding", 0..<90, learningRateScale: 0.5, weightDecay: 0.1),
                ParameterGroup("norms", ranges: [120..<150, 190..<195], weightDecay: 0),
            ])
        let shards = try Sharding.ranges(parameterCount: count, shards: 3)
        var whole = try entry.make(learningRate: 1e-2)
        var parts = try shards.map { _ in try entry.make(learningRate: 1e-2) }
        var rng = SplitMix64(seed: 17)
        var x = randomTensor(count, &rng, exponents: -4...0)
        var sharded = x
        for _ in 0..<6 {
            let g = randomTensor(count, &rng, exponents: -12...4, zeroQuarters: 1)
            try whole.step(parameters: &x, gradients: g, groups: groups)
            for (index, shard) in shards.enumerated() {
                try parts[index].step(shard: shard, of: &sharded, gradients: FlatTensor(g[shard]), groups: groups)
            }
        }
        #expect(x.map(\.bitPattern) == sharded.map(\.bitPattern), "\(entry.name)")
    }

    @Test func shardRangesCoverTheBuffer() throws {
        let ranges = try Sharding.ranges(parameterCount: 1000, shards: 3)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1000)
        #expect(
            zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && $1.lowerBound % 16 == 0 })
        #expect(throws: OptimizerError.self) { try Sharding.ranges(parameterCount: 10, shards: 0) }
        #expect(throws: OptimizerError.self) { try Sharding.ranges(parameterCount: -1, shards: 2) }
        #expect(throws: OptimizerError.self) { try Sharding.ranges(parameterCount: 10, shards: Int.max) }
        // The largest buffers split without overflowing.
        let huge = try Sharding.ranges(parameterCount: Int.max, shards: 2)
        #expect(
            huge.first?.lowerBound == 0 && huge.last?.upperBound == Int.max && huge[0].upperBound == huge[1].lowerBound)
    }

    @Test func invalidShardsChangeNothing() throws {
        var optimizer: any StatefulOptimizer = try S3(learningRate: 1e-2)
        var x = FlatTensor(repeating: 1, count: 10)
        try optimizer.step(shard: 2..<6, of: &x, gradients: [1, 2, 3, 4])
        expectUnchanged(&optimizer, &x, { $0 == .invalidShard(shard: 8..<12, parameters: 10) }) {
            try $0.step(shard: 8..<12, of: &$1, gradients: [1, 2, 3, 4])
        }
        expectUnchanged(&optimizer, &x, { $0 == .countMismatch(parameters: 4, gradients: 3) }) {
            try $0.step(shard: 2..<6, of: &$1, gradients: [1, 2, 3])
        }
        expectUnchanged(&optimizer, &x, { $0 == .stateCountMismatch(state: 4, parameters: 5) }) {
            try $0.step(shard: 2..<7, of: &$1, gradients: [1, 2, 3, 4, 5])
        }
        #expect(Array(x[0..<2]) == [1, 1] && Array(x[6...]) == [1, 1, 1, 1], "outside the shard nothing moved")
        // A shard optimizer checkpoints like any other.
        let s3 = optimizer as! S3
        #expect(try S3(restoring: Checkpoint(binaryRepresentation: s3.checkpoint.binaryRepresentation())) == s3)
    }
}
