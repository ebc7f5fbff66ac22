import Foundation
import Optimizers
import Testing

@Suite("Gradient clipping")
struct ClippingTests {
    @Test(arguments: [1, 2.5, 1e-3] as [Float])
    func clipsToTheNormAgainstAFloat64Norm(maxNorm: Float) throws {
        var rng = SplitMix64(seed: 21)
        let values = (0..<1001).map { _ in rng.float(exponents: -30...30) }
        let exact = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var gradients = FlatTensor(values)
        let norm = try GradientClipping.clipGlobalNorm(&gradients, maxNorm: maxNorm)
        #expect(abs(norm - exact) / exact < 1e-6)
        #expect(abs(try GradientClipping.globalNorm(gradients) / Double(maxNorm) - 1) < 1e-5, "clipped to maxNorm")
        // Below the threshold nothing changes.
        let before = gradients
        #expect(try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 10 * maxNorm) < Double(10 * maxNorm))
        #expect(gradients == before)
    }

    @Test func hugeGradientsDoNotOverflowTheNorm() throws {
        var gradients: FlatTensor = [3e30, -4e30, 0]  // squares overflow float32
        let exact = (Double(gradients[0]) * Double(gradients[0]) + Double(gradients[1]) * Double(gradients[1]))
            .squareRoot()
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

    @Test func rangesClipOnlyTheirElementsAndAreChecked() throws {
        var gradients: FlatTensor = [3, 4, 100, 0]
        let norm = try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1, ranges: [0..<2, 3..<4])
        #expect(norm == 5 && gradients[2] == 100)
        #expect(abs(gradients[0] - 0.6) < 1e-6)
        #expect(throws: OptimizerError.self) { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 0) }
        let before = gradients
        #expect(throws: OptimizerError.rangeOutOfBounds(range: 2..<5, count: 4)) {
            try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1, ranges: [0..<2, 2..<5])
        }
        #expect(gradients == before)
        #expect(throws: OptimizerError.self) { try GradientClipping.globalNorm(gradients, ranges: [-1..<2]) }
    }

    /// Memory the caller owns clips like a tensor.
    @Test func callerOwnedMemoryClipsLikeATensor() throws {
        var rng = SplitMix64(seed: 22)
        var tensor = randomTensor(3000, &rng, exponents: -10...5)
        var array = Array(tensor)
        let expected = try withThreads(3, minimumElementsPerThread: 256) {
            try GradientClipping.clipGlobalNorm(&tensor, maxNorm: 2)
        }
        let norm = try array.withUnsafeMutableBufferPointer { try GradientClipping.clipGlobalNorm($0, maxNorm: 2) }
        #expect(norm == expected && array.map(\.bitPattern) == tensor.map(\.bitPattern))
    }
}
