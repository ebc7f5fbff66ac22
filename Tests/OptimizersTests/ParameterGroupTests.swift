import Foundation
import Optimizers
import Testing

@Suite("Parameter groups")
struct ParameterGroupTests {
    @Test func invalidGroupsAreRejectedAtConstruction() {
        func reason(_ groups: [ParameterGroup]) -> String? {
            do {
                _ = try ParameterGroups(parameterCount: 10, groups)
                return nil
            } catch let error as OptimizerError {
                guard case let .invalidParameterGroup(_, reason) = error else { return "wrong error" }
                return reason
            } catch { return "wrong error" }
        }
        #expect(reason([ParameterGroup("a", 0..<11)])?.contains("outside 0..<10") == true)
        #expect(reason([ParameterGroup("a", 0..<5), ParameterGroup("b", 4..<8)])?.contains("overlaps") == true)
        #expect(reason([ParameterGroup("a", ranges: [0..<3, 2..<4])])?.contains("overlaps") == true)
        #expect(reason([ParameterGroup("a", 0..<2), ParameterGroup("a", 2..<4)])?.contains("twice") == true)
        #expect(reason([ParameterGroup(UpdateTelemetry.ungrouped, 0..<2)])?.contains("reserved") == true)
        #expect(reason([ParameterGroup("a", 0..<2, learningRateScale: -1)])?.contains("learningRateScale") == true)
        #expect(reason([ParameterGroup("a", 0..<2, weightDecay: .nan)])?.contains("weightDecay") == true)
        // An empty range hides no overlap.
        #expect(
            reason([ParameterGroup("a", 0..<10), ParameterGroup("e", 3..<3), ParameterGroup("b", 9..<10)])?
                .contains("overlaps") == true)
        #expect(
            reason([ParameterGroup("a", ranges: [0..<5, 7..<9]), ParameterGroup("b", ranges: [5..<7, 9..<10])]) == nil)
    }

    /// A group behaves exactly like a separate optimizer with the group's learning rate and
    /// weight decay on its ranges; elements outside every group like the plain optimizer.
    @Test(arguments: Catalog.all)
    func groupsEqualSeparateOptimizersOnTheirSlices(_ entry: Entry) throws {
        let count = 40
        let groups = try ParameterGroups(
            parameterCount: count,
            [
                ParameterGroup("biases", ranges: [25..<33, 36..<38], learningRateScale: 2, weightDecay: 0),
                ParameterGroup("decayed", 0..<17, learningRateScale: 0.5, weightDecay: 0.2),
            ])
        let lr: Float = 1e-2
        var grouped = try entry.make(learningRate: lr)
        var slices = try groups.groups.map { group in
            try entry.make(learningRate: lr * group.learningRateScale, ["weightDecay": group.weightDecay!])
        }
        var plain = try entry.make(learningRate: lr)
        var rng = SplitMix64(seed: 5)
        var x = randomTensor(count, &rng, exponents: -4...0)
        func gather(_ tensor: FlatTensor, _ group: ParameterGroup) -> FlatTensor {
            FlatTensor(group.ranges.flatMap { tensor[$0] })
        }
        var parts = groups.groups.map { gather(x, $0) }
        var whole = x
        for _ in 0..<5 {
            let g = randomTensor(count, &rng, exponents: -10...4)
            try grouped.step(parameters: &x, gradients: g, groups: groups)
            for (index, group) in groups.groups.enumerated() {
                try slices[index].step(parameters: &parts[index], gradients: gather(g, group))
            }
            try plain.step(parameters: &whole, gradients: g)
        }
        for (index, group) in groups.groups.enumerated() {
            #expect(gather(x, group).map(\.bitPattern) == parts[index].map(\.bitPattern), "\(entry.name) \(group.name)")
        }
        for i in [17, 20, 24, 33, 35, 38, 39] {
            #expect(x[i].bitPattern == whole[i].bitPattern, "\(entry.name) element \(i)")
        }
    }

    /// A frozen group's parameters and state stay bit for bit; the rest moves as without it.
    @Test(arguments: Catalog.all)
    func frozenGroupsLeaveParametersAndStateAlone(_ entry: Entry) throws {
        let count = 50, frozen = [3..<9, 30..<41]
        let groups = try ParameterGroups(
            parameterCount: count, [ParameterGroup("frozen", ranges: frozen, frozen: true)])
        var optimizer = try entry.make(learningRate: 1e-2)
        var rng = SplitMix64(seed: 8)
        var x = randomTensor(count, &rng, exponents: -4...0)
        try optimizer.step(parameters: &x, gradients: randomTensor(count, &rng, exponents: -8...2))  // some state
        let (xBefore, stateBefore) = (x, try Self.stateElements(optimizer))
        for _ in 0..<4 {
            try optimizer.step(parameters: &x, gradients: randomTensor(count, &rng, exponents: -8...2), groups: groups)
        }
        let stateAfter = try Self.stateElements(optimizer)
        #expect(optimizer.stepCount == 5, "the shared step count advances")
        for range in frozen {
            #expect(
                x[range].map(\.bitPattern) == xBefore[range].map(\.bitPattern), "\(entry.name): frozen parameters moved"
            )
            for (before, after) in zip(stateBefore, stateAfter) where !before.isEmpty {
                let slots = before.count == count ? range : 0..<0  // every state buffer is per element
                #expect(Array(before[slots]) == Array(after[slots]), "\(entry.name): frozen state moved")
            }
        }
        #expect(x[9..<30].map(\.bitPattern) != xBefore[9..<30].map(\.bitPattern), "the rest moved")
    }

    /// The per-element state buffers of an optimizer, as bit patterns.
    static func stateElements(_ optimizer: any StatefulOptimizer) throws -> [[UInt32]] {
        let file = try CheckpointBytes(Data(checkpointBytes(optimizer)))
        return file.buffers.map { buffer in
            stride(from: 0, to: buffer.bytes.count, by: 4).map { offset in
                buffer.bytes[offset..<(offset + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
        }
    }

    /// An empty range is ignored: a group made of one updates nothing twice (it used to move
    /// the segment cursor back and step elements 3..<10 twice).
    @Test func emptyRangesUpdateNothing() throws {
        let groups = try ParameterGroups(parameterCount: 20, [ParameterGroup("w", 0..<10), ParameterGroup("e", 3..<3)])
        let plain = try ParameterGroups(parameterCount: 20, [ParameterGroup("w", 0..<10)])
        var (a, b) = (try SGDM(learningRate: 0.1), try SGDM(learningRate: 0.1))
        var (x, y) = (FlatTensor(repeating: 1, count: 20), FlatTensor(repeating: 1, count: 20))
        try a.step(parameters: &x, gradients: FlatTensor(repeating: 1, count: 20), groups: groups)
        try b.step(parameters: &y, gradients: FlatTensor(repeating: 1, count: 20), groups: plain)
        #expect(x == y && x[5] == 0.9)
    }

    @Test func mismatchedGroupsChangeNothing() throws {
        var (optimizer, parameters, gradients) = try warmedUp(Catalog.s3)
        let groups = try ParameterGroups(parameterCount: parameters.count + 1, [ParameterGroup("all", 0..<5)])
        expectUnchanged(&optimizer, &parameters, { $0 == .groupCountMismatch(groups: 22, parameters: 21) }) {
            try $0.step(parameters: &$1, gradients: gradients, groups: groups)
        }
    }

    @Test func groupsRoundTripThroughJSON() throws {
        let groups = try ParameterGroups(
            parameterCount: 30,
            [
                ParameterGroup("norms", ranges: [0..<2, 10..<12, 20..<22], weightDecay: 0),
                ParameterGroup("head", 25..<30, learningRateScale: 0.1, frozen: true),
            ])
        let decoded = try JSONDecoder().decode(ParameterGroups.self, from: JSONEncoder().encode(groups))
        #expect(decoded == groups && decoded["head"]?.frozen == true)
    }
}
