import Foundation

/// The UCI handwritten digits (1,797 images of 8x8 pixels, 10 classes), shipped as a resource
/// (see `Resources/README.md` for its source and licence).
public struct Digits: Sendable {
    /// Pixels scaled to [0, 1], 64 per image, row by row.
    public let images: [[Float]]
    /// The digit of each image, 0-9.
    public let labels: [Int]

    public static let pixels = 64
    public static let classes = 10

    /// Loads the shipped dataset.
    public static func load() throws -> Digits {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "bin") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Digits(data: Data(contentsOf: url))
    }

    /// Parses rows of 65 bytes: 64 pixels (0-16), then the label.
    public init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count % (Self.pixels + 1) == 0, !bytes.isEmpty else { throw CocoaError(.fileReadCorruptFile) }
        let rows = bytes.count / (Self.pixels + 1)
        images = (0..<rows).map { row in (0..<Self.pixels).map { Float(bytes[row * 65 + $0]) / 16 } }
        labels = (0..<rows).map { Int(bytes[$0 * 65 + 64]) }
        guard labels.allSatisfy({ (0..<Self.classes).contains($0) }) else { throw CocoaError(.fileReadCorruptFile) }
    }

    /// A deterministic split: image indices shuffled by `seed`, the first `trainingFraction` for
    /// training, the rest for validation.
    public func split(trainingFraction: Double = 0.8, seed: UInt64 = 0) -> (training: [Int], validation: [Int]) {
        var generator = StudyRandom(seed: seed)
        let order = (0..<labels.count).shuffled(using: &generator)
        let cut = Int(Double(order.count) * trainingFraction)
        return (Array(order[..<cut]), Array(order[cut...]))
    }
}
