import Foundation
import Optimizers
import Testing

/// Whether two optimizers are the same concrete type with the same configuration, state,
/// gradient check and learning rate (compared bit for bit, so a NaN learning rate equals itself).
func sameOptimizer(_ a: any StatefulOptimizer, _ b: any StatefulOptimizer) -> Bool {
    func open<T: StatefulOptimizer>(_ a: T) -> Bool {
        guard let b = b as? T else { return false }
        return a.configuration == b.configuration && a.state == b.state && a.stateCount == b.stateCount
            && a.gradientCheck == b.gradientCheck && a.learningRate.bitPattern == b.learningRate.bitPattern
    }
    return open(a)
}

/// `count` floats drawn as `golden.py` draws them (see ``SplitMix64/float(exponents:zeroQuarters:)``).
func randomTensor(_ count: Int, _ rng: inout SplitMix64, exponents: ClosedRange<Int>, zeroQuarters: UInt64 = 0)
    -> FlatTensor
{
    FlatTensor((0..<count).map { _ in rng.float(exponents: exponents, zeroQuarters: zeroQuarters) })
}

/// An optimizer after three valid steps on `count` elements, with fresh gradients for a fourth.
func warmedUp(_ entry: Entry, count: Int = 21) throws -> (any StatefulOptimizer, FlatTensor, FlatTensor) {
    var optimizer = try entry.make(learningRate: 1e-2)
    var rng = SplitMix64(seed: 42)
    var parameters = randomTensor(count, &rng, exponents: -4...0)
    for _ in 0..<3 {
        try optimizer.step(parameters: &parameters, gradients: randomTensor(count, &rng, exponents: -8...2))
    }
    return (optimizer, parameters, randomTensor(count, &rng, exponents: -8...2))
}

/// Expects `step` to throw an `OptimizerError` accepted by `matches`, with the optimizer and the
/// parameters bit for bit as they were.
func expectUnchanged(
    _ optimizer: inout any StatefulOptimizer, _ parameters: inout FlatTensor,
    sourceLocation: SourceLocation = #_sourceLocation, _ matches: (OptimizerError) -> Bool,
    step: (inout any StatefulOptimizer, inout FlatTensor) throws -> Void
) {
    let (before, parametersBefore) = (optimizer, parameters.map(\.bitPattern))
    let error = #expect(throws: OptimizerError.self, sourceLocation: sourceLocation) {
        try step(&optimizer, &parameters)
    }
    if let error { #expect(matches(error), "unexpected \(error)", sourceLocation: sourceLocation) }
    #expect(sameOptimizer(before, optimizer), "optimizer changed", sourceLocation: sourceLocation)
    #expect(parameters.map(\.bitPattern) == parametersBefore, "parameters changed", sourceLocation: sourceLocation)
}

/// ``expectUnchanged(_:_:sourceLocation:_:step:)`` for a plain step with `gradients`.
func expectUnchanged(
    _ optimizer: inout any StatefulOptimizer, _ parameters: inout FlatTensor, _ gradients: FlatTensor,
    sourceLocation: SourceLocation = #_sourceLocation, _ matches: (OptimizerError) -> Bool
) {
    expectUnchanged(&optimizer, &parameters, sourceLocation: sourceLocation, matches) {
        try $0.step(parameters: &$1, gradients: gradients)
    }
}
