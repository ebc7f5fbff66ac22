import Foundation
import Optimizers
import Testing

@Suite("FlatTensor")
struct FlatTensorTests {
    @Test func constructionAndAccess() {
        let literal: FlatTensor = [1, 2, 3]
        #expect(Array(literal) == [1, 2, 3])
        #expect(FlatTensor([1, 2, 3]) == literal)
        #expect(FlatTensor(stride(from: 1, through: 3, by: 1) as StrideThrough<Float>) == literal)
        #expect(FlatTensor([1, 2, 3, 4][1...]) == [2, 3, 4], "contiguous slices copy in one pass")
        #expect(Array(FlatTensor(repeating: 2.5, count: 4)) == [2.5, 2.5, 2.5, 2.5])
        #expect(FlatTensor(zeros: 3) == [0, 0, 0])
        #expect(FlatTensor().isEmpty && FlatTensor(repeating: 1, count: 0).count == 0)
        #expect(literal.indices == 0..<3 && literal.first == 1 && literal.last == 3)
        #expect(literal.reduce(0, +) == 6)
        let built = FlatTensor(count: 4) { buffer in for i in buffer.indices { buffer[i] = Float(i * i) } }
        #expect(built == [0, 1, 4, 9])
    }

    @Test func valueSemantics() {
        let original: FlatTensor = [1, 2, 3]
        var copy = original
        copy[1] = 20
        #expect(Array(original) == [1, 2, 3] && Array(copy) == [1, 20, 3])
        var viaPointer = original
        viaPointer.withUnsafeMutableBufferPointer { $0[0] = -1 }
        #expect(original[0] == 1 && viaPointer[0] == -1)
        var sorted: FlatTensor = [3, 1, 2]
        sorted.sort()  // MutableCollection algorithms work in place
        #expect(sorted == [1, 2, 3])
        var scaled = original
        scaled.scale(by: 2)
        #expect(original == [1, 2, 3] && scaled == [2, 4, 6], "arithmetic copies shared storage first")
    }

    /// zero, scale and add over every tail length and across threads, against plain loops.
    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 33, 3 * 64 + 5])
    func arithmeticMatchesPlainLoops(count: Int) throws {
        try withThreads(3, minimumElementsPerThread: 64) { try arithmetic(count: count) }
    }

    func arithmetic(count: Int) throws {
        var rng = SplitMix64(seed: UInt64(count))
        let x = randomTensor(count, &rng, exponents: -20...20), y = randomTensor(count, &rng, exponents: -20...20)
        var scaled = x, summed = x, zeroed = x
        scaled.scale(by: -0.75)
        try summed.add(y, scaledBy: 3)
        zeroed.zero()
        #expect(scaled.map(\.bitPattern) == x.map { ($0 * -0.75).bitPattern })
        #expect(summed.map(\.bitPattern) == zip(x, y).map { ($0 + 3 * $1).bitPattern })
        #expect(zeroed.allSatisfy { $0 == 0 } && zeroed.count == count)
        var plain = x
        try plain.add(y)
        #expect(plain.map(\.bitPattern) == zip(x, y).map { ($0 + $1).bitPattern }, "factor 1 is a plain sum")
        #expect(throws: OptimizerError.tensorCountMismatch(expected: count, found: count + 1)) {
            try summed.add(FlatTensor(zeros: count + 1))
        }
    }

    /// Clipping certifies a tensor finite; every way of writing to it must withdraw that, or a
    /// step would skip its scan and take a NaN.
    @Test(arguments: ["subscript", "range", "withUnsafeMutableBufferPointer", "contiguous storage", "scale"])
    func everyWriteForgetsTheFiniteCertificate(_ writer: String) throws {
        var gradients = FlatTensor(repeating: 0.25, count: 40)
        try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 100)
        switch writer {
        case "subscript": gradients[1] = .nan
        case "range": gradients[0..<3] = ([0, .nan, 0] as FlatTensor)[0..<3]
        case "withUnsafeMutableBufferPointer": gradients.withUnsafeMutableBufferPointer { $0[1] = .nan }
        case "contiguous storage": _ = gradients.withContiguousMutableStorageIfAvailable { $0[1] = .nan }
        default: gradients.scale(by: .infinity)
        }
        var optimizer = try AdamW(learningRate: 1e-3)
        var parameters = FlatTensor(zeros: 40)
        #expect(throws: OptimizerError.self) { try optimizer.step(parameters: &parameters, gradients: gradients) }
        #expect(parameters == FlatTensor(zeros: 40) && optimizer.stepCount == 0)
    }

    @Test func codableRoundTrip() throws {
        let tensor: FlatTensor = [1.5, -2, 0, 3e-20]
        let json = try JSONEncoder().encode(tensor)
        #expect(String(decoding: json, as: UTF8.self).hasPrefix("[1.5,-2,0,"))
        #expect(try JSONDecoder().decode(FlatTensor.self, from: json) == tensor)
    }

    @Test func equalityAndHashing() {
        let a: FlatTensor = [1, 2], b: FlatTensor = [1, 2], c: FlatTensor = [1, 2, 0]
        #expect(a == b && a != c && a.hashValue == b.hashValue)
        #expect(FlatTensor([.nan]) != FlatTensor([.nan]), "IEEE equality")
        #expect(Set([a, b, c]).count == 2)
    }

    @Test func description() {
        #expect("\(FlatTensor([1, 2]))" == "FlatTensor([1.0, 2.0])")
        #expect("\(FlatTensor(zeros: 10))".hasSuffix("... (10 elements)])"))
    }
}
