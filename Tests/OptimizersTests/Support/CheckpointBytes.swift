import Foundation

@testable import Optimizers

/// A binary checkpoint taken apart, to be put back together with some field changed and a valid
/// checksum, so that the reader's structure checks, not its checksum, must find the problem.
struct CheckpointBytes {
    var version: UInt32
    var json: String
    /// Each buffer's declared element count and its bytes.
    var buffers: [(count: UInt64, bytes: [UInt8])]

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        func integer<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
            bytes[offset..<(offset + MemoryLayout<T>.size)].reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        version = integer(UInt32.self, at: 8)
        let length = Int(integer(UInt32.self, at: 12))
        json = String(decoding: bytes[16..<(16 + length)], as: UTF8.self)
        var offset = 16 + length
        let count = Int(integer(UInt32.self, at: offset))
        offset += 4
        buffers = (0..<count).map { _ in
            let elements = integer(UInt64.self, at: offset)
            defer { offset += 8 + 4 * Int(elements) }
            return (elements, Array(bytes[(offset + 8)..<(offset + 8 + 4 * Int(elements))]))
        }
    }

    /// The file with `version` (and its checksum), the JSON edited by `edit`, and optionally
    /// trailing empty buffers dropped (as version 1 wrote AdamW) or declared counts replaced.
    func rewritten(
        version: UInt32 = 2, dropEmptyTrailingBuffers: Bool = false, counts: [UInt64]? = nil,
        bufferCount: UInt32? = nil, edit: (String) -> String = { $0 }
    ) -> Data {
        var buffers = self.buffers
        while dropEmptyTrailingBuffers, buffers.last?.count == 0 { buffers.removeLast() }
        var bytes = Array("S3OPTCKP".utf8)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        let json = Array(edit(self.json).utf8)
        append(version)
        append(UInt32(json.count))
        bytes += json
        append(bufferCount ?? UInt32(buffers.count))
        for (index, buffer) in buffers.enumerated() {
            append(counts?[index] ?? buffer.count)
            bytes += buffer.bytes
        }
        append(Self.checksum(bytes, version: version))
        return Data(bytes)
    }

    static func checksum(_ bytes: [UInt8], version: UInt32) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            guard version != 1 else { return fnv1a(raw) }
            var checksum = StripeChecksum()
            checksum.update(raw)
            return checksum.finalize()
        }
    }
}
