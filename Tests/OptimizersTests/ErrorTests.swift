import Foundation
import Optimizers
import Testing

/// Every rejection path, for every optimizer, and that a rejected step changes nothing.
@Suite("Errors")
struct ErrorTests {
    /// Values outside each hyperparameter's allowed range.
    static let invalidValues: [String: [Float]] = [
        "beta1": [-0.1, 1, 1.5, .nan], "beta2": [-0.1, 1, .nan], "beta3": [-0.1, 1, .nan],
        "momentum": [-0.1, 1, .nan], "dampening": [-0.1, 1.5, .nan],
        "epsilon": [0, -1e-8, .infinity, .nan], "weightDecay": [-0.01, .infinity, .nan],
        "momentumDecay": [-1e-3, .infinity, .nan], "p": [0.5, 0, .infinity, .nan],
    ]

    @Test(arguments: Catalog.all)
    func invalidHyperparametersAreNamed(_ entry: Entry) throws {
        for (name, _) in entry.defaults {
            let values = try #require(Self.invalidValues[name], "no invalid values listed for \(name)")
            for value in values {
                let error = try #require(throws: OptimizerError.self) {
                    try entry.make(learningRate: 1e-3, [name: value])
                }
                guard case let .invalidHyperparameter(reported, reportedValue, allowed) = error else {
                    Issue.record("\(entry.name).\(name) = \(value): \(error)")
                    continue
                }
                #expect(
                    reported == name || (entry.name.hasPrefix("S3") && reported == "beta"), "\(entry.name): \(error)")
                #expect(reportedValue.bitPattern == value.bitPattern || (value.isNaN && reportedValue.isNaN))
                #expect(!allowed.isEmpty && "\(error)".contains(reported) && "\(error)".contains(allowed))
            }
        }
    }

    @Test func nesterovSGDNeedsMomentumWithoutDampening() throws {
        #expect(
            throws: OptimizerError.invalidHyperparameter(
                name: "momentum", value: 0, allowed: "(0, 1) when nesterov is true")
        ) {
            try SGDM(learningRate: 0.1, momentum: 0, nesterov: true)
        }
        #expect(
            throws: OptimizerError.invalidHyperparameter(
                name: "dampening", value: 0.5, allowed: "0 when nesterov is true")
        ) {
            try SGDM(learningRate: 0.1, dampening: 0.5, nesterov: true)
        }
    }

    @Test func sameS3BetaIsReportedAsBeta() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "beta", value: 1, allowed: "[0, 1)")) {
            try S3(learningRate: 0.1, beta: 1)
        }
    }

    @Test(arguments: Catalog.all)
    func invalidLearningRates(_ entry: Entry) throws {
        for value: Float in [-1e-3, .infinity, -.infinity, .nan] {
            #expect(throws: OptimizerError.self) { try entry.make(learningRate: value) }
            // Set between steps: the next step throws and changes nothing.
            var (optimizer, parameters, gradients) = try warmedUp(entry)
            optimizer.learningRate = value
            expectUnchanged(&optimizer, &parameters, gradients) {
                guard case .invalidHyperparameter("learningRate", _, _) = $0 else { return false }
                return true
            }
        }
    }

    @Test(arguments: Catalog.all)
    func countMismatches(_ entry: Entry) throws {
        var (optimizer, parameters, gradients) = try warmedUp(entry)
        expectUnchanged(&optimizer, &parameters, FlatTensor(zeros: gradients.count - 1)) {
            $0 == .countMismatch(parameters: 21, gradients: 20)
        }
        var other = FlatTensor(zeros: 22)
        expectUnchanged(&optimizer, &other, FlatTensor(repeating: 1, count: 22)) {
            $0 == .stateCountMismatch(state: 21, parameters: 22)
        }
        // An empty step after the state was built for 21 elements is a mismatch too.
        var empty = FlatTensor()
        expectUnchanged(&optimizer, &empty, FlatTensor()) { $0 == .stateCountMismatch(state: 21, parameters: 0) }
        // Groups built for another size name the groups, not the state.
        let groups = try ParameterGroups(parameterCount: 22, [ParameterGroup("all", 0..<22)])
        expectUnchanged(&optimizer, &parameters, { $0 == .groupCountMismatch(groups: 22, parameters: 21) }) {
            try $0.step(parameters: &$1, gradients: gradients, groups: groups)
        }
    }

    @Test(arguments: Catalog.all)
    func parameterCountAtInitFixesTheSize(_ entry: Entry) throws {
        var optimizer: any StatefulOptimizer =
            switch entry.name {
            case "SGDM": try SGDM(learningRate: 0.1, parameterCount: 4)
            case let name where name.hasPrefix("AdamW"): try AdamW(learningRate: 0.1, parameterCount: 4)
            case "NAdam": try NAdam(learningRate: 0.1, parameterCount: 4)
            case "Lion": try Lion(learningRate: 0.1, parameterCount: 4)
            case "Adan": try Adan(learningRate: 0.1, parameterCount: 4)
            default: try S3(learningRate: 0.1, parameterCount: 4)
            }
        var parameters = FlatTensor(zeros: 5)
        expectUnchanged(&optimizer, &parameters, FlatTensor(zeros: 5)) {
            $0 == .stateCountMismatch(state: 4, parameters: 5)
        }
        #expect(
            throws: OptimizerError.invalidHyperparameter(name: "parameterCount", value: -1, allowed: "an integer >= 0")
        ) {
            try AdamW(learningRate: 0.1, parameterCount: -1)
        }
    }

    /// A count no machine could hold is refused before anything is allocated (in a release
    /// build, `Int.max` elements once faulted inside the allocator).
    @Test(arguments: [Int.max, Int.max / 4, 1 << 40])
    func parameterCountBeyondMemoryIsRefused(_ count: Int) throws {
        func refused(_ error: any Error) -> Bool {
            guard case .invalidHyperparameter(name: "parameterCount", _, let allowed) = error as? OptimizerError
            else { return false }
            return allowed.contains("memory")
        }
        #expect { try S3(learningRate: 0.1, parameterCount: count) } throws: { refused($0) }
        #expect { try Adan(learningRate: 0.1, parameterCount: count) } throws: { refused($0) }
        #expect { try GradientAccumulator(parameterCount: count, microBatches: 2) } throws: { refused($0) }
    }

    @Test(arguments: Catalog.all)
    func nonFiniteGradientsAreRejectedFirstIndexFirst(_ entry: Entry) throws {
        for count in [1, 7, 8, 9, 15, 16, 17, 4095, 4097, 10_000] {
            for index in Set([0, count / 2, count - 1]) {
                for bad: Float in [.nan, .infinity, -.infinity] {
                    var (optimizer, parameters, gradients) = try warmedUp(entry, count: count)
                    gradients[index] = bad
                    if index + 1 < count { gradients[count - 1] = .nan }  // a later one is not reported
                    expectUnchanged(&optimizer, &parameters, gradients) {
                        guard case let .nonFiniteGradient(reported, value) = $0 else { return false }
                        return reported == index && value.bitPattern == bad.bitPattern
                    }
                }
            }
        }
    }

    @Test(arguments: Catalog.all)
    func assumeFiniteSkipsTheCheck(_ entry: Entry) throws {
        var (optimizer, parameters, gradients) = try warmedUp(entry)
        optimizer.gradientCheck = .assumeFinite
        gradients[3] = .nan
        try optimizer.step(parameters: &parameters, gradients: gradients)
        // The documented cost of opting out: the NaN reaches the parameters; its neighbours are fine.
        #expect(parameters[3].isNaN || entry.name == "Lion")  // Lion's sign(NaN) is 0; its momentum is poisoned
        #expect(parameters[2].isFinite && parameters[4].isFinite)
    }

    @Test(arguments: Catalog.all)
    func emptyBuffersAreANoOp(_ entry: Entry) throws {
        var optimizer = try entry.make(learningRate: 0.1)
        let before = optimizer
        var parameters = FlatTensor()
        try optimizer.step(parameters: &parameters, gradients: [])
        #expect(sameOptimizer(before, optimizer))
        // And the state is still free to be built for any size.
        var real = FlatTensor(repeating: 1, count: 3)
        try optimizer.step(parameters: &real, gradients: [1, 1, 1])
        #expect(!sameOptimizer(before, optimizer))
    }

    /// A restored step counter one below `Int.max` takes one more step, then refuses with a
    /// typed error instead of overflowing.
    @Test(arguments: Catalog.all)
    func theStepCounterStopsAtIntMax(_ entry: Entry) throws {
        var (optimizer, parameters, gradients) = try warmedUp(entry, count: 5)
        func withStep<T: StatefulOptimizer>(_ optimizer: T) throws -> any StatefulOptimizer {
            let json = String(decoding: try JSONEncoder().encode(optimizer.checkpoint), as: UTF8.self)
                .replacingOccurrences(of: "\"step\":3", with: "\"step\":\(Int.max - 1)")
            return try T(restoring: JSONDecoder().decode(Checkpoint<T>.self, from: Data(json.utf8)))
        }
        optimizer = try withStep(optimizer)
        #expect(optimizer.stepCount == Int.max - 1)
        try optimizer.step(parameters: &parameters, gradients: gradients)
        #expect(optimizer.stepCount == Int.max)
        expectUnchanged(&optimizer, &parameters, gradients) { $0 == .stepLimitReached }
    }
}
