import Foundation

/// An optimizer's complete state (hyperparameters, learning rate, step count and every buffer)
/// as a value: `Codable` (JSON and friends), and a compact binary file that a crash cannot leave
/// half-written. Restoring it and stepping on reproduces the uninterrupted run bit for bit.
///
/// ```swift
/// try optimizer.checkpoint.write(to: url)                    // binary, atomic
/// var resumed = try AdamW(restoring: Checkpoint(contentsOf: url))
/// ```
public struct Checkpoint<O: StatefulOptimizer>: Codable, Equatable, Sendable {
    /// The optimizer type the checkpoint belongs to ("AdamW", "S3", ...).
    public var optimizer: String
    public var learningRate: Float
    public var gradientCheck: GradientCheck
    /// The element count the state was built for (nil before the first step).
    public var stateCount: Int?
    public var configuration: O.Configuration
    public var state: O.State

    public init(of optimizer: O) {
        self.optimizer = Self.typeName
        learningRate = optimizer.learningRate
        gradientCheck = optimizer.gradientCheck
        stateCount = optimizer.stateCount
        configuration = optimizer.configuration
        state = optimizer.state
    }

    static var typeName: String { String(describing: O.self) }

    /// Two checkpoints are equal when every field is, learning rate compared bit for bit.
    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.optimizer == b.optimizer && a.learningRate.bitPattern == b.learningRate.bitPattern
            && a.gradientCheck == b.gradientCheck && a.stateCount == b.stateCount
            && a.configuration == b.configuration && a.state == b.state
    }
}

extension StatefulOptimizer {
    /// Everything needed to resume this optimizer exactly.
    public var checkpoint: Checkpoint<Self> { Checkpoint(of: self) }
}

/// Why a checkpoint could not be read. The optimizer being restored is never touched.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ends before the structure it announces (a truncated file).
    case truncated(expectedBytes: Int, foundBytes: Int)
    /// The data does not start with the checkpoint magic number: not a checkpoint.
    case notACheckpoint
    /// A format version this library cannot read.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// The stored checksum does not match the contents (a corrupted file).
    case checksumMismatch
    /// The checkpoint belongs to another optimizer type.
    case wrongOptimizer(expected: String, found: String)
    /// The contents are well-formed bytes but not a valid state (e.g. a buffer of the wrong size).
    case invalidContents(String)

    public var description: String {
        switch self {
        case let .truncated(expected, found): "truncated checkpoint: needs at least \(expected) bytes, has \(found)"
        case .notACheckpoint: "not an optimizer checkpoint (bad magic number)"
        case let .unsupportedVersion(found, supported): "checkpoint format version \(found); this library reads \(supported)"
        case .checksumMismatch: "checkpoint checksum mismatch: the file is corrupted"
        case let .wrongOptimizer(expected, found): "checkpoint is for \(found), not \(expected)"
        case let .invalidContents(reason): "invalid checkpoint contents: \(reason)"
        }
    }
}

/// State whose buffers a checkpoint stores as raw floats.
protocol OptimizerState {
    var step: Int { get }
    var buffers: [FlatTensor] { get set }
}

// MARK: Binary format
//
//   "S3OPTCKP"                 8 bytes, magic
//   version                    UInt32 little endian (1)
//   metadata length, metadata  UInt32 + JSON of the checkpoint with empty buffers
//   buffer count               UInt32
//   per buffer: element count  UInt64, then the floats as little-endian IEEE bits
//   checksum                   UInt64, FNV-1a of every byte before it

extension Checkpoint {
    static var magic: [UInt8] { Array("S3OPTCKP".utf8) }
    static var formatVersion: UInt32 { 1 }

    /// The binary representation (see the format above).
    public func binaryRepresentation() throws -> Data {
        var metadata = self
        var stateWithBuffers = state as! any OptimizerState
        let buffers = stateWithBuffers.buffers
        stateWithBuffers.buffers = buffers.map { _ in FlatTensor() }
        metadata.state = stateWithBuffers as! O.State
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same optimizer always gives the same bytes
        let json = try encoder.encode(metadata)

        var bytes = Self.magic
        bytes.appendLittleEndian(Self.formatVersion)
        bytes.appendLittleEndian(UInt32(json.count))
        bytes.append(contentsOf: json)
        bytes.appendLittleEndian(UInt32(buffers.count))
        for buffer in buffers {
            bytes.appendLittleEndian(UInt64(buffer.count))
            bytes.reserveCapacity(bytes.count + 4 * buffer.count + 8)
            for value in buffer { bytes.appendLittleEndian(value.bitPattern) }
        }
        bytes.appendLittleEndian(fnv1a(bytes[...]))
        return Data(bytes)
    }

    /// Reads a binary checkpoint, checking length, magic, version, checksum, optimizer type and
    /// buffer sizes.
    public init(binaryRepresentation data: Data) throws {
        let bytes = [UInt8](data)
        var reader = ByteReader(bytes: bytes)
        guard bytes.count >= Self.magic.count + 4 + 8 else {
            throw CheckpointError.truncated(expectedBytes: Self.magic.count + 12, foundBytes: bytes.count)
        }
        guard Array(bytes.prefix(Self.magic.count)) == Self.magic else { throw CheckpointError.notACheckpoint }
        reader.offset = Self.magic.count
        let version: UInt32 = try reader.read()
        guard version == Self.formatVersion else {
            throw CheckpointError.unsupportedVersion(found: version, supported: Self.formatVersion)
        }
        let jsonLength = Int(try reader.read() as UInt32)
        let json = try reader.bytes(jsonLength)
        let bufferCount = Int(try reader.read() as UInt32)
        var buffers: [FlatTensor] = []
        for _ in 0..<bufferCount {
            let count = try reader.read() as UInt64
            guard count <= UInt64(bytes.count / 4) else {
                throw CheckpointError.truncated(expectedBytes: Int(clamping: count) * 4, foundBytes: bytes.count)
            }
            let raw = try reader.bytes(Int(count) * 4)
            buffers.append(FlatTensor((0..<Int(count)).map { index in
                let start = raw.startIndex + 4 * index
                return Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[start + $1]) << (8 * $1) })
            }))
        }
        let storedChecksum: UInt64 = try reader.read()
        guard storedChecksum == fnv1a(bytes[..<(reader.offset - 8)]) else { throw CheckpointError.checksumMismatch }

        // The type name is checked before decoding, so the error names both types.
        let header: CheckpointHeader
        do { header = try JSONDecoder().decode(CheckpointHeader.self, from: Data(json)) } catch {
            throw CheckpointError.invalidContents("metadata: \(error)")
        }
        guard header.optimizer == Self.typeName else {
            throw CheckpointError.wrongOptimizer(expected: Self.typeName, found: header.optimizer)
        }
        do { self = try JSONDecoder().decode(Checkpoint.self, from: Data(json)) } catch {
            throw CheckpointError.invalidContents("metadata: \(error)")
        }
        var stateWithBuffers = state as! any OptimizerState
        guard stateWithBuffers.buffers.count == buffers.count else {
            throw CheckpointError.invalidContents("\(buffers.count) buffers, \(O.self) has \(stateWithBuffers.buffers.count)")
        }
        stateWithBuffers.buffers = buffers
        state = stateWithBuffers as! O.State
    }

    /// Writes the binary representation atomically: to a temporary file in the same folder,
    /// then renamed over `url`, so a crash leaves either the old file or the new one.
    public func write(to url: URL) throws {
        try binaryRepresentation().write(to: url, options: .atomic)
    }

    /// Reads a binary checkpoint file.
    public init(contentsOf url: URL) throws {
        try self.init(binaryRepresentation: Data(contentsOf: url))
    }
}

extension ElementwiseOptimizer where State: OptimizerState {
    /// A fresh optimizer built from the checkpoint's validated hyperparameters, given the
    /// checkpoint's state after checking it fits (buffer sizes, step count).
    static func restored(from checkpoint: Checkpoint<Self>) throws -> Self {
        guard checkpoint.optimizer == Checkpoint<Self>.typeName else {
            throw CheckpointError.wrongOptimizer(expected: Checkpoint<Self>.typeName, found: checkpoint.optimizer)
        }
        var optimizer = try Self(learningRate: checkpoint.learningRate,
                                 configuration: validated(checkpoint.configuration),
                                 parameterCount: checkpoint.stateCount)
        let expected = optimizer.state.buffers.map(\.count), found = checkpoint.state.buffers.map(\.count)
        guard expected == found else {
            throw CheckpointError.invalidContents("buffer sizes \(found), expected \(expected)")
        }
        guard checkpoint.state.step >= 0, checkpoint.stateCount != nil || checkpoint.state.step == 0 else {
            throw CheckpointError.invalidContents("step \(checkpoint.state.step) with state count \(String(describing: checkpoint.stateCount))")
        }
        optimizer.state = checkpoint.state
        optimizer.gradientCheck = checkpoint.gradientCheck
        return optimizer
    }
}

/// The one metadata field read before the rest: which optimizer the checkpoint is for.
private struct CheckpointHeader: Decodable {
    let optimizer: String
}

/// FNV-1a, 64 bits: a fast checksum that catches flipped and truncated bytes (not an
/// authentication code).
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return hash
}

private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw CheckpointError.truncated(expectedBytes: offset + max(0, count), foundBytes: bytes.count)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func read<T: FixedWidthInteger>() throws -> T {
        let slice = try bytes(MemoryLayout<T>.size)
        return slice.reversed().reduce(T(0)) { $0 << 8 | T($1) }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        for index in 0..<MemoryLayout<T>.size { append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}
