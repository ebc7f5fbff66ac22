import Foundation
import Optimizers
import Testing

@Suite("Gradient accumulation")
struct GradientAccumulatorTests {
    /// The average of k micro-batches is within the documented bound of the float64 average:
    /// `(k - 1) 2^-24 (|g_1| + ... + |g_k|) / k` plus half an ulp.
    @Test(arguments: [1, 2, 3, 4, 7, 16])
    func averagesWithinTheDocumentedBound(microBatches k: Int) throws {
        let count = 1000
        var accumulator = try GradientAccumulator(parameterCount: count, microBatches: k)
        var rng = SplitMix64(seed: UInt64(k))
        for round in 0..<3 {
            let batches = (0..<k).map { _ in randomTensor(count, &rng, exponents: -30...10, zeroQuarters: 1) }
            for (index, batch) in batches.enumerated() {
                #expect(try accumulator.add(batch) == (index == k - 1), "round \(round), batch \(index)")
            }
            #expect(accumulator.isComplete)
            for i in 0..<count {
                let values = batches.map { Double($0[i]) }
                let exact = values.reduce(0, +) / Double(k)
                let bound =
                    Double(k - 1) * 0x1p-24 * values.map(abs).reduce(0, +) / Double(k) + Double(Float(exact).ulp) / 2
                #expect(abs(Double(accumulator.average[i]) - exact) <= bound, "k \(k), element \(i)")
            }
        }
    }

    @Test func equalBatchesAverageExactly() throws {
        var accumulator = try GradientAccumulator(parameterCount: 3, microBatches: 4)
        for _ in 0..<4 { try accumulator.add([1, -2, 0.1]) }
        #expect(accumulator.average == [1, -2, 0.1] && accumulator.isComplete)
        try accumulator.add([2, 2, 2])  // a new round starts
        #expect(!accumulator.isComplete && accumulator.added == 1)
        accumulator.reset()
        #expect(accumulator.added == 0)
    }

    @Test func mismatchedAndInvalidInputsThrow() throws {
        #expect(throws: OptimizerError.self) { try GradientAccumulator(parameterCount: 3, microBatches: 0) }
        #expect(throws: OptimizerError.self) { try GradientAccumulator(parameterCount: -1, microBatches: 2) }
        var accumulator = try GradientAccumulator(parameterCount: 3, microBatches: 2)
        try accumulator.add([1, 2, 3])
        #expect(throws: OptimizerError.tensorCountMismatch(expected: 3, found: 2)) { try accumulator.add([1, 2]) }
        #expect(accumulator.added == 1, "nothing changed")
    }

    /// Caller-owned memory accumulates exactly like tensors, including across threads.
    @Test func callerOwnedGradientsAccumulateLikeTensors() throws {
        let count = 3 * 64 + 11
        var rng = SplitMix64(seed: 91)
        let batches = (0..<3).map { _ in randomTensor(count, &rng, exponents: -10...3) }
        var (a, b) = (
            try GradientAccumulator(parameterCount: count, microBatches: 3),
            try GradientAccumulator(parameterCount: count, microBatches: 3)
        )
        for batch in batches {
            try withThreads(3, minimumElementsPerThread: 64) { _ = try a.add(batch) }
            let array = Array(batch)
            try array.withUnsafeBufferPointer { _ = try b.add($0) }
        }
        #expect(a.average.map(\.bitPattern) == b.average.map(\.bitPattern))
    }
}
