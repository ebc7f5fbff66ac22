import Foundation
import Optimizers
import Testing

@Suite("Schedules")
struct ScheduleTests {
    @Test func valuesAtKnownSteps() throws {
        #expect(try LearningRateSchedule.constant(0.1)(12345) == 0.1)

        let warmup = try LearningRateSchedule.linearWarmup(to: 1, steps: 4)
        #expect([0, 1, 2, 3, 4, 100].map { warmup($0) } == [0.25, 0.5, 0.75, 1, 1, 1])

        let cosine = try LearningRateSchedule.cosineDecay(from: 1, to: 0.1, steps: 100)
        #expect(cosine(0) == 1 && cosine(100) == 0.1 && cosine(1000) == 0.1)
        #expect(abs(cosine(50) - 0.55) < 1e-6)
        #expect(abs(cosine(25) - Float(0.1 + 0.9 * (1 + cos(Double.pi / 4)) / 2)) < 1e-6)

        let paper = try LearningRateSchedule.warmupCosine(peak: 3e-3, warmupSteps: 10, totalSteps: 110)
        #expect(paper(0) == 3e-4 && paper(9) == 3e-3 && paper(10) == 3e-3)
        #expect(abs(paper(60) - 3e-3 * 0.55) < 1e-9 && abs(paper(110) - 3e-4) < 1e-10 && abs(paper(5000) - 3e-4) < 1e-10)

        let decay = try LearningRateSchedule.stepDecay(initial: 1, factor: 0.5, every: 10)
        #expect([0, 9, 10, 25, 30].map { decay($0) } == [1, 1, 0.5, 0.25, 0.125])

        let joined = try LearningRateSchedule.join([.constant(1), .linearWarmup(to: 2, steps: 2), .constant(3)],
                                                   boundaries: [5, 7])
        #expect((0...8).map { joined($0) } == [1, 1, 1, 1, 1, 1, 2, 3, 3])
        #expect(joined(-3) == 1, "negative steps are step 0")
    }

    @Test func invalidSchedulesAreNamed() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "peak", value: -1, allowed: "a finite value >= 0")) {
            try LearningRateSchedule.linearWarmup(to: -1, steps: 3)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "steps", value: 0, allowed: "an integer >= 1")) {
            try LearningRateSchedule.cosineDecay(from: 1, to: 0, steps: 0)
        }
        #expect(throws: OptimizerError.self) { try LearningRateSchedule.stepDecay(initial: 1, factor: 1.5, every: 3) }
        #expect(throws: OptimizerError.self) { try LearningRateSchedule.join([.constant(1), .constant(2)], boundaries: []) }
        #expect(throws: OptimizerError.self) {
            try LearningRateSchedule.join([.constant(1), .constant(2), .constant(3)], boundaries: [4, 4])
        }
    }
}

@Suite("Gradient clipping")
struct ClippingTests {
    @Test func clipsToTheNormAgainstAFloat64Norm() throws {
        var rng = SplitMix64(seed: 21)
        let values = (0..<1001).map { _ in rng.float(exponents: -30...30) }
        let exact = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var gradients = FlatTensor(values)
        let norm = try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1)
        #expect(abs(norm - exact) / exact < 1e-6)
        #expect(abs(GradientClipping.globalNorm(gradients) - 1) < 1e-5)
        // Below the threshold nothing changes.
        let before = gradients
        #expect(try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 10) < 10)
        #expect(gradients == before)
    }

    @Test func hugeGradientsDoNotOverflowTheNorm() throws {
        var gradients: FlatTensor = [3e30, -4e30, 0]  // squares overflow float32
        let exact = (Double(gradients[0]) * Double(gradients[0]) + Double(gradients[1]) * Double(gradients[1])).squareRoot()
        let norm = try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1)
        #expect(abs(norm / exact - 1) < 1e-15, "overflowing blocks are summed in double precision")
        #expect(abs(gradients[0] - 0.6) < 1e-6 && abs(gradients[1] + 0.8) < 1e-6)
    }

    /// A finite norm over the whole buffer lets the next step skip its scan; any write undoes it.
    @Test func clippingCertifiesFiniteGradientsUntilTheNextWrite() throws {
        var gradients = FlatTensor(repeating: 0.5, count: 100)
        try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1)
        var optimizer = try S3(learningRate: 1e-3)
        var x = FlatTensor(zeros: 100)
        try optimizer.step(parameters: &x, gradients: gradients)
        gradients[7] = .nan  // a write: the certificate is gone, the scan runs again
        #expect(throws: OptimizerError.self) { try optimizer.step(parameters: &x, gradients: gradients) }
        var clipped = FlatTensor(repeating: 0.5, count: 100)
        try GradientClipping.clipGlobalNorm(&clipped, maxNorm: 1, ranges: [0..<50])
        clipped.withUnsafeMutableBufferPointer { $0[99] = .infinity }
        #expect(throws: OptimizerError.self) { try optimizer.step(parameters: &x, gradients: clipped) }
    }

    @Test func nonFiniteNormIsReportedAndNothingIsScaled() throws {
        for bad: Float in [.nan, .infinity] {
            var gradients: FlatTensor = [1e3, bad, 2]
            let before = gradients.map(\.bitPattern)
            let norm = try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1)
            #expect(!norm.isFinite)
            #expect(gradients.map(\.bitPattern) == before)
        }
    }

    @Test func rangesClipOnlyTheirElements() throws {
        var gradients: FlatTensor = [3, 4, 100, 0]
        let norm = try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1, ranges: [0..<2, 3..<4])
        #expect(norm == 5 && gradients[2] == 100)
        #expect(abs(gradients[0] - 0.6) < 1e-6)
        #expect(throws: OptimizerError.self) { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 0) }
    }
}

@Suite("Parameter groups")
struct ParameterGroupTests {
    @Test func invalidGroupsAreRejectedAtConstruction() {
        func reason(_ groups: [ParameterGroup]) -> String? {
            do { _ = try ParameterGroups(parameterCount: 10, groups); return nil } catch let error as OptimizerError {
                guard case let .invalidParameterGroup(_, reason) = error else { return "wrong error" }
                return reason
            } catch { return "wrong error" }
        }
        #expect(reason([ParameterGroup("a", 0..<11)])?.contains("outside 0..<10") == true)
        #expect(reason([ParameterGroup("a", 0..<5), ParameterGroup("b", 4..<8)])?.contains("overlaps") == true)
        #expect(reason([ParameterGroup("a", 0..<2), ParameterGroup("a", 2..<4)])?.contains("twice") == true)
        #expect(reason([ParameterGroup("a", 0..<2, learningRateScale: -1)])?.contains("learningRateScale") == true)
        #expect(reason([ParameterGroup("a", 0..<2, weightDecay: .nan)])?.contains("weightDecay") == true)
        #expect(reason([ParameterGroup("a", 0..<5), ParameterGroup("b", 5..<10)]) == nil)
    }

    /// A group behaves exactly like a separate optimizer with the group's learning rate and
    /// weight decay on that slice; elements outside every group like the plain optimizer.
    @Test(arguments: Catalog.all)
    func groupsEqualSeparateOptimizersOnTheirSlices(_ entry: Entry) throws {
        let count = 40
        let groups = try ParameterGroups(parameterCount: count, [
            ParameterGroup("decayed", 0..<17, learningRateScale: 0.5, weightDecay: 0.2),
            ParameterGroup("biases", 25..<33, learningRateScale: 2, weightDecay: 0),
        ])
        let lr: Float = 1e-2
        var grouped = try entry.make(learningRate: lr)
        var slices = try groups.groups.map { group in
            try entry.make(learningRate: lr * group.learningRateScale, ["weightDecay": group.weightDecay!])
        }
        var plain = try entry.make(learningRate: lr)
        var rng = SplitMix64(seed: 5)
        var x = FlatTensor((0..<count).map { _ in rng.float(exponents: -4...0) })
        var parts = groups.groups.map { FlatTensor(x[$0.range]) }
        var whole = x
        for _ in 0..<5 {
            let g = FlatTensor((0..<count).map { _ in rng.float(exponents: -10...4) })
            try stepGrouped(&grouped, &x, g, groups)
            for (index, group) in groups.groups.enumerated() {
                try slices[index].step(parameters: &parts[index], gradients: FlatTensor(g[group.range]))
            }
            try plain.step(parameters: &whole, gradients: g)
        }
        for (index, group) in groups.groups.enumerated() {
            #expect(Array(x[group.range]).map(\.bitPattern) == parts[index].map(\.bitPattern), "\(entry.name) \(group.name)")
        }
        for i in 17..<25 { #expect(x[i].bitPattern == whole[i].bitPattern, "\(entry.name) gap element \(i)") }
    }

    @Test(arguments: Catalog.all)
    func mismatchedGroupsChangeNothing(_ entry: Entry) throws {
        var (optimizer, parameters, gradients) = try warmedUp(entry)
        let groups = try ParameterGroups(parameterCount: parameters.count + 1, [ParameterGroup("all", 0..<5)])
        let (before, parametersBefore) = (optimizer, parameters.map(\.bitPattern))
        #expect(throws: OptimizerError.stateCountMismatch(state: parameters.count + 1, parameters: parameters.count)) {
            try stepGrouped(&optimizer, &parameters, gradients, groups)
        }
        #expect(sameOptimizer(before, optimizer) && parameters.map(\.bitPattern) == parametersBefore)
    }
}
