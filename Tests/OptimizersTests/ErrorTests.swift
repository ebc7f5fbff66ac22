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
                #expect(reported == name || (entry.name.hasPrefix("S3") && reported == "beta"), "\(entry.name): \(error)")
                #expect(reportedValue.bitPattern == value.bitPattern || (value.isNaN && reportedValue.isNaN))
                #expect(!allowed.isEmpty && "\(error)".contains(reported) && "\(error)".contains(allowed))
            }
        }
    }

    @Test func nesterovSGDNeedsMomentumWithoutDampening() throws {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "momentum", value: 0, allowed: "(0, 1) when nesterov is true")) {
            try SGDM(learningRate: 0.1, momentum: 0, nesterov: true)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "dampening", value: 0.5, allowed: "0 when nesterov is true")) {
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
            try expectUnchanged(&optimizer, &parameters, gradients) { error in
                guard case .invalidHyperparameter("learningRate", _, _) = error else { return false }
                return true
            }
        }
    }

    @Test(arguments: Catalog.all)
    func countMismatches(_ entry: Entry) throws {
        var (optimizer, parameters, gradients) = try warmedUp(entry)
        try expectUnchanged(&optimizer, &parameters, FlatTensor(zeros: gradients.count - 1)) {
            $0 == .countMismatch(parameters: 21, gradients: 20)
        }
        var other = FlatTensor(zeros: 22)
        try expectUnchanged(&optimizer, &other, FlatTensor(repeating: 1, count: 22)) {
            $0 == .stateCountMismatch(state: 21, parameters: 22)
        }
        // An empty step after the state was built for 21 elements is a mismatch too.
        var empty = FlatTensor()
        try expectUnchanged(&optimizer, &empty, FlatTensor()) { $0 == .stateCountMismatch(state: 21, parameters: 0) }
    }

    @Test(arguments: Catalog.all)
    func parameterCountAtInitFixesTheSize(_ entry: Entry) throws {
        // Through the concrete initialisers: `parameterCount` allocates now.
        var optimizer: any Optimizer = switch entry.name {
        case "SGDM": try SGDM(learningRate: 0.1, parameterCount: 4)
        case "AdamW": try AdamW(learningRate: 0.1, parameterCount: 4)
        case "NAdam": try NAdam(learningRate: 0.1, parameterCount: 4)
        case "Lion": try Lion(learningRate: 0.1, parameterCount: 4)
        case "Adan": try Adan(learningRate: 0.1, parameterCount: 4)
        default: try S3(learningRate: 0.1, parameterCount: 4)
        }
        var parameters = FlatTensor(zeros: 5)
        try expectUnchanged(&optimizer, &parameters, FlatTensor(zeros: 5)) { $0 == .stateCountMismatch(state: 4, parameters: 5) }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "parameterCount", value: -1, allowed: "an integer >= 0")) {
            try AdamW(learningRate: 0.1, parameterCount: -1)
        }
    }

    @Test(arguments: Catalog.all)
    func nonFiniteGradientsAreRejectedFirstIndexFirst(_ entry: Entry) throws {
        for count in [1, 7, 8, 9, 4095, 4097, 10_000] {
            for index in Set([0, count / 2, count - 1]) {
                for bad: Float in [.nan, .infinity, -.infinity] {
                    var (optimizer, parameters, gradients) = try warmedUp(entry, count: count)
                    gradients[index] = bad
                    if index + 1 < count { gradients[count - 1] = .nan }  // a later one is not reported
                    try expectUnchanged(&optimizer, &parameters, gradients) {
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
        setGradientCheck(&optimizer, .assumeFinite)
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
}

/// An optimizer after three valid steps on `count` elements, with fresh gradients for a fourth.
func warmedUp(_ entry: Entry, count: Int = 21) throws -> (any Optimizer, FlatTensor, FlatTensor) {
    var optimizer = try entry.make(learningRate: 1e-2)
    var rng = SplitMix64(seed: 42)
    var parameters = FlatTensor((0..<count).map { _ in rng.float(exponents: -4...0) })
    for _ in 0..<3 {
        try optimizer.step(parameters: &parameters, gradients: FlatTensor((0..<count).map { _ in rng.float(exponents: -8...2) }))
    }
    return (optimizer, parameters, FlatTensor((0..<count).map { _ in rng.float(exponents: -8...2) }))
}

/// Expects `step` to throw an error accepted by `matches`, with the optimizer and the
/// parameters bit-for-bit as they were.
func expectUnchanged(
    _ optimizer: inout any Optimizer, _ parameters: inout FlatTensor, _ gradients: FlatTensor,
    sourceLocation: SourceLocation = #_sourceLocation, _ matches: (OptimizerError) -> Bool
) throws {
    let (before, parametersBefore) = (optimizer, parameters.map(\.bitPattern))
    let error = #expect(throws: OptimizerError.self, sourceLocation: sourceLocation) {
        try optimizer.step(parameters: &parameters, gradients: gradients)
    }
    if let error { #expect(matches(error), "unexpected \(error)", sourceLocation: sourceLocation) }
    #expect(sameOptimizer(before, optimizer), "optimizer changed", sourceLocation: sourceLocation)
    #expect(parameters.map(\.bitPattern) == parametersBefore, "parameters changed", sourceLocation: sourceLocation)
}
