@testable import Optimizers
import Testing

/// Multi-threaded steps against single-threaded ones. The only tests that change the global
/// thread limit, serialized so they do not race each other.
@Suite("Parallel steps", .serialized)
struct ParallelTests {
    /// 3 * 65,536 + 13 elements: split in 3 chunks with a ragged end.
    static let count = 3 * Parallelism.minimumElementsPerThread + 13

    @Test(arguments: Catalog.all)
    func threadsGiveBitIdenticalResults(_ entry: Entry) throws {
        defer { Parallelism.maximumThreadCount = 64 }
        var results: [[UInt32]] = []
        for threads in [1, 2, 3, 7] {
            Parallelism.maximumThreadCount = threads
            var optimizer = try entry.make(learningRate: 1e-2)
            var rng = SplitMix64(seed: 11)
            var x = FlatTensor((0..<Self.count).map { _ in rng.float(exponents: -4...0) })
            for _ in 0..<3 {
                let g = FlatTensor((0..<Self.count).map { _ in rng.float(exponents: -20...10, zeroQuarters: 1) })
                try optimizer.step(parameters: &x, gradients: g)
            }
            results.append(x.map(\.bitPattern))
        }
        #expect(results.allSatisfy { $0 == results[0] })
    }

    @Test func parallelScanFindsTheFirstBadElement() {
        defer { Parallelism.maximumThreadCount = 64 }
        Parallelism.maximumThreadCount = 3
        #expect(Validate.firstNonFinite(FlatTensor(zeros: Self.count)) == nil)
        for index in [0, 70_000, 140_000, Self.count - 1] {
            var values = FlatTensor(zeros: Self.count)
            values[index] = .infinity
            values[Self.count - 1] = index == Self.count - 1 ? .infinity : .nan  // a later one in the last chunk
            #expect(Validate.firstNonFinite(values) == index)
        }
    }

    @Test func chunksCoverTheRangeOnCacheLineBoundaries() {
        for count in [0, 1, 15, 16, 17, 1000, 100_003] {
            for chunks in 1...5 {
                let range = 5..<(5 + count)
                let pieces = (0..<chunks).map { chunkRange($0, of: chunks, in: range) }
                #expect(pieces.first?.lowerBound == range.lowerBound && pieces.last?.upperBound == range.upperBound)
                for (a, b) in zip(pieces, pieces.dropFirst()) {
                    #expect(a.upperBound == b.lowerBound && (a.upperBound - range.lowerBound) % 16 == 0 || b.isEmpty)
                }
            }
        }
    }

    @Test func limitIsAtLeastOne() {
        defer { Parallelism.maximumThreadCount = 64 }
        Parallelism.maximumThreadCount = 0
        #expect(Parallelism.maximumThreadCount == 1)
    }
}
