import Foundation

/// A text as a sequence of character tokens, split into a training part (the first 90%) and a
/// validation part (the rest). The shipped text is the King James Version's Genesis and Exodus
/// (see `Resources/README.md` for its source).
public struct TextCorpus: Sendable {
    /// The distinct bytes of the text in increasing order: token `i` is `vocabulary[i]`.
    public let vocabulary: [UInt8]
    /// The whole text as tokens.
    public let tokens: [Int]
    /// `tokens[..<validationStart]` is for training, the rest for validation.
    public let validationStart: Int

    /// Loads the shipped text.
    public static func load() throws -> TextCorpus {
        guard let url = Bundle.module.url(forResource: "kjv-genesis-exodus", withExtension: "txt") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return TextCorpus(bytes: [UInt8](try Data(contentsOf: url)))
    }

    public init(bytes: [UInt8], validationFraction: Double = 0.1) {
        vocabulary = Array(Set(bytes)).sorted()
        var index = [Int](repeating: 0, count: 256)
        for (token, byte) in vocabulary.enumerated() { index[Int(byte)] = token }
        tokens = bytes.map { index[Int($0)] }
        validationStart = Int(Double(bytes.count) * (1 - validationFraction))
    }

    /// The tokens of `text`; every byte must occur in the corpus.
    public func encode(_ text: String) -> [Int] {
        text.utf8.map { byte in
            guard let token = vocabulary.firstIndex(of: byte) else {
                preconditionFailure("byte \(byte) is not in the corpus")
            }
            return token
        }
    }

    public func decode(_ tokens: [Int]) -> String {
        String(decoding: tokens.map { vocabulary[$0] }, as: UTF8.self)
    }

    /// `count` windows of `length` tokens starting at random places of the training part.
    public func trainingWindows(_ count: Int, length: Int, using generator: inout StudyRandom) -> [[Int]] {
        (0..<count).map { _ in
            let start = Int.random(in: 0...(validationStart - length), using: &generator)
            return Array(tokens[start..<(start + length)])
        }
    }

    /// `count` windows of `length` tokens spread evenly over `range` (deterministic).
    public func evenlySpacedWindows(_ count: Int, length: Int, in range: Range<Int>) -> [[Int]] {
        let stride = (range.count - length) / max(1, count - 1)
        return (0..<count).map { Array(tokens[(range.lowerBound + $0 * stride)...].prefix(length)) }
    }
}
