import Foundation
import Optimizers

/// SplitMix64, bit for bit the generator of `Fixtures/golden.py`.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float32 drawn as `golden.py`'s `draw`: random sign, a power-of-two exponent uniform in
    /// `exponents`, a random mantissa, and exactly zero with probability `zeroQuarters / 4`.
    /// Exponents below -126 (which `golden.py` never draws) give subnormals of about that size.
    mutating func float(exponents: ClosedRange<Int>, zeroQuarters: UInt64 = 0) -> Float {
        let w = next()
        if zeroQuarters > 0 && (w >> 40) % 4 < zeroQuarters { return 0 }
        let exponent = Int((w >> 32) % UInt64(exponents.count)) + exponents.lowerBound
        let sign = UInt32(truncatingIfNeeded: (w >> 63) << 31), mantissa = UInt32(w & 0x7F_FFFF)
        guard exponent >= -126 else {
            return Float(bitPattern: sign | (mantissa | 0x80_0000) >> UInt32(-126 - exponent))
        }
        return Float(bitPattern: sign | UInt32(exponent + 127) << 23 | mantissa)
    }
}

/// One fixture file: the trajectories of one reference implementation.
struct GoldenFile: Decodable {
    let optimizer: String
    let reference: String
    let steps: Int
    let cases: [GoldenCase]

    /// The committed fixtures, or those in `$GOLDEN_FIXTURES` (cases the tests have never seen:
    /// `golden.py --seed-offset 1000 --out DIR`).
    static func load(_ name: String) throws -> GoldenFile {
        let folder =
            ProcessInfo.processInfo.environment["GOLDEN_FIXTURES"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
        let url = folder.appendingPathComponent("\(name).json")
        return try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
    }
}

struct GoldenCase: Decodable {
    let name: String
    /// The reference that produced this case (the optimizer's own, or Adam for AdamW's wd = 0 case).
    let reference: String
    let seed: UInt64
    let count: Int
    let gradients: String
    let hyperparameters: [String: Float]
    let flags: [String: Bool]
    let learningRates: [Float]
    let recordedSteps: [Int]
    let trajectory: String

    /// The reference parameters after each recorded step.
    func expected() -> [[Float]] {
        let data = Data(base64Encoded: trajectory)!
        let values = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        return stride(from: 0, to: values.count, by: max(count, 1)).map {
            Array(values[$0..<min($0 + count, values.count)])
        }
    }

    /// The initial parameters and the gradient of every step, as `golden.py` draws them.
    func inputs() -> (parameters: FlatTensor, gradients: [FlatTensor]) {
        var rng = SplitMix64(seed: seed)
        let parameters = FlatTensor((0..<count).map { _ in rng.float(exponents: -4...0) })
        let (exponents, zeroQuarters): (ClosedRange<Int>, UInt64) =
            switch gradients {
            case "heavy": (-20...10, 0)
            case "sparse": (-20...10, 2)
            case "extreme": (-66...66, 0)
            default: fatalError("unknown gradient mode \(gradients)")
            }
        let steps = learningRates.count
        let all = (1...steps).map { t -> FlatTensor in
            let g = (0..<count).map { _ in rng.float(exponents: exponents, zeroQuarters: zeroQuarters) }
            return gradients == "sparse" && t % 10 == 0 ? FlatTensor(zeros: count) : FlatTensor(g)
        }
        return (parameters, all)
    }
}

/// The golden tolerance (docs/exactness.md): `|x - x_ref| <= 5e-5 * max(1, |x_ref|)`; returns the error
/// in units of that bound's scale, `|x - x_ref| / max(1, |x_ref|)`.
func scaledError(_ x: Float, _ reference: Float) -> Double {
    Double(abs(x - reference)) / max(1, Double(abs(reference)))
}
let goldenTolerance = 5e-5
