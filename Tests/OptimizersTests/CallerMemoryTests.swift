import Foundation
import Optimizers
import Testing

/// Steps on memory the caller owns (a model's own arrays) equal tensor steps bit for bit, with
/// the same validation and the same "nothing changed on throw".
@Suite("Caller-owned memory")
struct CallerMemoryTests {
    @Test(arguments: Catalog.all)
    func pointerStepsEqualTensorSteps(_ entry: Entry) throws {
        try withThreads(2, minimumElementsPerThread: 64) { try pointerStepsEqualTensorSteps(entry, count: 2 * 300 + 9) }
    }

    func pointerStepsEqualTensorSteps(_ entry: Entry, count: Int) throws {
        let groups = try ParameterGroups(
            parameterCount: count,
            [
                ParameterGroup("biases", ranges: [0..<10, 400..<410], weightDecay: 0),
                ParameterGroup("frozen", 200..<300, frozen: true),
            ])
        var rng = SplitMix64(seed: 31)
        var tensor = randomTensor(count, &rng, exponents: -4...0)
        var array = Array(tensor)
        var (a, b) = (try entry.make(learningRate: 1e-2), try entry.make(learningRate: 1e-2))
        for step in 0..<4 {
            let g = randomTensor(count, &rng, exponents: -12...4)
            let gArray = Array(g)
            if step % 2 == 0 {
                try a.step(parameters: &tensor, gradients: g)
                try array.withUnsafeMutableBufferPointer { x in
                    try gArray.withUnsafeBufferPointer { try b.step(parameters: x, gradients: $0) }
                }
            } else {
                try a.step(parameters: &tensor, gradients: g, groups: groups)
                try array.withUnsafeMutableBufferPointer { x in
                    try gArray.withUnsafeBufferPointer { try b.step(parameters: x, gradients: $0, groups: groups) }
                }
            }
        }
        #expect(tensor.map(\.bitPattern) == array.map(\.bitPattern))
        #expect(try checkpointBytes(a) == checkpointBytes(b))
    }

    @Test(arguments: Catalog.all)
    func shardedPointerStepsEqualShardedTensorSteps(_ entry: Entry) throws {
        var rng = SplitMix64(seed: 32)
        var tensor = randomTensor(100, &rng, exponents: -4...0)
        var array = Array(tensor)
        var (a, b) = (try entry.make(learningRate: 1e-2), try entry.make(learningRate: 1e-2))
        for _ in 0..<3 {
            let g = randomTensor(40, &rng, exponents: -12...4)
            try a.step(shard: 30..<70, of: &tensor, gradients: g, groups: nil)
            let gArray = Array(g)
            try array.withUnsafeMutableBufferPointer { x in
                try gArray.withUnsafeBufferPointer { try b.step(shard: 30..<70, of: x, gradients: $0, groups: nil) }
            }
        }
        #expect(tensor.map(\.bitPattern) == array.map(\.bitPattern))
    }

    /// Overlapping buffers, counts and non-finite gradients are refused with nothing changed.
    @Test(arguments: Catalog.all)
    func invalidCallerMemoryChangesNothing(_ entry: Entry) throws {
        var (optimizer, parameters, gradients) = try warmedUp(entry, count: 16)
        var memory = Array(parameters) + Array(gradients)
        let before = (optimizer, memory.map(\.bitPattern))
        memory.withUnsafeMutableBufferPointer { all in
            let x = UnsafeMutableBufferPointer(rebasing: all[0..<16])
            for (g, expected) in [
                (UnsafeBufferPointer(rebasing: all[8..<24]), OptimizerError.overlappingBuffers),
                (UnsafeBufferPointer(rebasing: all[16..<31]), .countMismatch(parameters: 16, gradients: 15)),
            ] {
                #expect(throws: expected) { try optimizer.step(parameters: x, gradients: g) }
            }
            all[20] = .nan
            let error = #expect(throws: OptimizerError.self) {
                try optimizer.step(parameters: x, gradients: UnsafeBufferPointer(rebasing: all[16..<32]))
            }
            guard case .nonFiniteGradient(4, let value)? = error, value.isNaN else {
                Issue.record("\(String(describing: error))")
                return
            }
            all[20] = gradients[4]
        }
        #expect(sameOptimizer(before.0, optimizer) && memory.map(\.bitPattern) == before.1)
    }

    /// An outside conformer gets the pointer steps from the protocols' copying defaults: they
    /// equal its tensor steps, and empty buffers (also with a non-nil base address) are fine.
    @Test func outsideConformersStepCallerMemoryThroughTheDefaults() throws {
        var (a, b) = (try HalvingOptimizer(learningRate: 0.5), try HalvingOptimizer(learningRate: 0.5))
        var tensor: FlatTensor = [1, 2, 3, 4]
        var array: [Float] = [1, 2, 3, 4]
        let g: [Float] = [1, -1, 0.5, 8]
        let groups = try ParameterGroups(parameterCount: 4, [ParameterGroup("a", 0..<2)])
        try a.step(parameters: &tensor, gradients: FlatTensor(g))
        try a.step(parameters: &tensor, gradients: FlatTensor(g), groups: groups)
        try a.step(shard: 2..<4, of: &tensor, gradients: FlatTensor(g[2...]))
        try array.withUnsafeMutableBufferPointer { x in
            try g.withUnsafeBufferPointer { g in
                try b.step(parameters: x, gradients: g)  // Optimizer's default: the type has no pointer step
                try b.step(parameters: x, gradients: g, groups: groups)
                try b.step(shard: 2..<4, of: x, gradients: UnsafeBufferPointer(rebasing: g[2...]), groups: nil)
                let empty = UnsafeMutableBufferPointer(rebasing: x[0..<0])
                try b.step(parameters: empty, gradients: UnsafeBufferPointer(empty))
                try b.step(
                    parameters: empty, gradients: UnsafeBufferPointer(empty), groups: .init(parameterCount: 0, []))
            }
        }
        #expect(Array(tensor) == array)
        #expect(b.stepCount == a.stepCount + 2)
    }
}
