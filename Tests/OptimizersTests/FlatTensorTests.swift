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
        #expect(Array(FlatTensor(repeating: 2.5, count: 4)) == [2.5, 2.5, 2.5, 2.5])
        #expect(FlatTensor(zeros: 3) == [0, 0, 0])
        #expect(FlatTensor().isEmpty && FlatTensor(repeating: 1, count: 0).count == 0)
        #expect(literal.indices == 0..<3 && literal.first == 1 && literal.last == 3)
        #expect(literal.reduce(0, +) == 6)
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
    }

    @Test func storageIsAlignedForSIMD() {
        for count in [1, 3, 17, 1000] {
            FlatTensor(zeros: count).withUnsafeBufferPointer { buffer in
                #expect(Int(bitPattern: buffer.baseAddress) % 64 == 0)
            }
        }
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
