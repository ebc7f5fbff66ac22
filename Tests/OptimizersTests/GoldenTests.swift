import Foundation
import Optimizers
import Testing

/// Every optimizer against the trajectories its reference implementation produced
/// (`Fixtures/golden.py`): 100 steps per case, every parameter within
/// `5e-5 * max(1, |x_ref|)` after every recorded step, from step 1, at every instruction-set
/// level this machine runs.
@Suite("Golden trajectories")
struct GoldenTests {
    @Test(arguments: Catalog.withReferences, testedLevels)
    func matchesReference(_ entry: Entry, level: InstructionSet) throws {
        let file = try GoldenFile.load(entry.name)
        #expect(file.optimizer == entry.name)
        #expect(file.cases.count >= 8)
        var worst = (error: 0.0, label: "")
        for golden in file.cases {
            let error = try atLevel(level) { try maximumError(entry, golden) }
            if error > worst.error { worst = (error, golden.name) }
        }
        print(
            "golden \(entry.name) vs \(file.reference) at \(level): worst scaled error \(worst.error) (\(worst.label))")
    }

    /// The largest scaled error over a case; records an issue at the first step out of tolerance.
    func maximumError(_ entry: Entry, _ golden: GoldenCase) throws -> Double {
        var optimizer = try entry.make(
            learningRate: golden.learningRates[0], golden.hyperparameters, flags: golden.flags)
        var (parameters, gradients) = golden.inputs()
        let expected = golden.expected()
        #expect(expected.count == golden.recordedSteps.count, "\(golden.name)")
        var worst = 0.0
        var next = 0
        for t in 1...golden.learningRates.count {
            optimizer.learningRate = golden.learningRates[t - 1]
            try optimizer.step(parameters: &parameters, gradients: gradients[t - 1])
            guard next < golden.recordedSteps.count, golden.recordedSteps[next] == t else { continue }
            for (index, reference) in expected[next].enumerated() {
                let error = scaledError(parameters[index], reference)
                worst = max(worst, error)
                if error > goldenTolerance {
                    Issue.record(
                        "\(entry.name) \(golden.name): step \(t), x[\(index)] = \(parameters[index]), reference \(reference)"
                    )
                    return worst
                }
            }
            next += 1
        }
        #expect(next == golden.recordedSteps.count)
        return worst
    }

    @Test(arguments: Catalog.withReferences)
    func fixturesCoverTheRequiredCases(_ entry: Entry) throws {
        let cases = try GoldenFile.load(entry.name).cases
        let counts = Set(cases.map(\.count))
        #expect(counts.isSuperset(of: [1, 7, 8, 9, 15, 16, 17]) && counts.contains { $0 >= 256 })
        #expect(cases.contains { $0.gradients == "sparse" })
        #expect(cases.contains { Set($0.learningRates).count > 1 })
        // Some case moves every float hyperparameter away from its default.
        let away = cases.contains { golden in entry.defaults.allSatisfy { golden.hyperparameters[$0.key] != $0.value } }
        #expect(away)
        // Every flag is exercised away from its default.
        for (flag, value) in entry.defaultFlags {
            #expect(cases.contains { $0.flags[flag] == !value }, "\(entry.name): no case with \(flag) = \(!value)")
        }
    }
}
