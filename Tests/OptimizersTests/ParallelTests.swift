import Testing

@testable import Optimizers

/// Multi-threaded steps against single-threaded ones.
@Suite("Parallel steps")
struct ParallelTests {
    /// Split from 64 elements per thread on: 3 * 64 + 13 elements make 3 chunks with a ragged end.
    static let (count, minimum) = (3 * 64 + 13, 64)

    @Test(arguments: Catalog.all)
    func threadsGiveBitIdenticalResults(_ entry: Entry) throws {
        var results: [[UInt32]] = []
        var rng = SplitMix64(seed: 11)
        let x0 = randomTensor(Self.count, &rng, exponents: -4...0)
        let gradients = (0..<3).map { _ in randomTensor(Self.count, &rng, exponents: -20...10, zeroQuarters: 1) }
        for threads in [1, 2, 3, 7] {
            var optimizer = try entry.make(learningRate: 1e-2)
            var x = x0
            try withThreads(threads, minimumElementsPerThread: Self.minimum) {
                for g in gradients { try optimizer.step(parameters: &x, gradients: g) }
            }
            results.append(x.map(\.bitPattern))
        }
        #expect(results.allSatisfy { $0 == results[0] })
    }

    @Test func parallelScanFindsTheFirstBadElement() {
        func scan(_ values: FlatTensor) -> Int? {
            withThreads(3, minimumElementsPerThread: 4096) {
                values.withUnsafeBufferPointer { firstNonFinite($0.baseAddress!, count: $0.count) }
            }
        }
        let count = 3 * 4096 + 13
        #expect(scan(FlatTensor(zeros: count)) == nil)
        for index in [0, 4100, 8200, count - 1] {
            var values = FlatTensor(zeros: count)
            values[index] = .infinity
            values[count - 1] = index == count - 1 ? .infinity : .nan  // a later one in the last chunk
            #expect(scan(values) == index)
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
        // Counts near Int.max split without overflow.
        let huge = chunkRange(1, of: 2, in: 0..<Int.max)
        #expect(huge.lowerBound > 0 && huge.upperBound == Int.max && huge.lowerBound % 16 == 0)
    }

    /// The one test that changes the process-wide limit (every other test forces a limit for
    /// its own task only).
    @Test func limitIsAtLeastOne() {
        let before = Parallelism.maximumThreadCount
        defer { Parallelism.maximumThreadCount = before }
        Parallelism.maximumThreadCount = 0
        #expect(Parallelism.maximumThreadCount == 1)
    }
}
