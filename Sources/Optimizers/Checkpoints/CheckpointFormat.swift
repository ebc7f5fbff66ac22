// The binary checkpoint format:
//
//   "S3OPTCKP"                 8 bytes, magic
//   version                    UInt32 little endian: 2 (1 is still read)
//   metadata length, metadata  UInt32 + JSON of the checkpoint with its buffers emptied
//   buffer count               UInt32
//   per buffer: element count  UInt64, then the floats as little-endian IEEE bits
//   checksum                   UInt64 of every byte before it: `StripeChecksum` (version 2),
//                              FNV-1a (version 1)
//
// A state that is not one of this module's keeps its buffers in the JSON metadata and writes
// no raw buffers, so any `StatefulOptimizer` can be written and read.

import Foundation

enum CheckpointFormat {
    static let magic = Array("S3OPTCKP".utf8)
    /// The version written; every version from 1 up to it is read.
    static let version: UInt32 = 2
    /// Magic, version, metadata length, buffer count and checksum: the smallest file.
    static let minimumSize = 8 + 4 + 4 + 4 + 8
}

/// A binary checkpoint whose structure and checksum have been verified: every length fits in
/// the data, nothing follows the checksum, and the checksum matches. Nothing has been decoded
/// or allocated yet.
struct CheckpointFile {
    /// The metadata JSON.
    let metadata: UnsafeRawBufferPointer
    /// The raw buffers' bytes (little-endian floats), in order.
    let buffers: [UnsafeRawBufferPointer]

    /// Parses `bytes`, which must stay valid while the result is used.
    init(_ bytes: UnsafeRawBufferPointer) throws {
        let size = bytes.count
        var offset = 0
        /// The next `count` bytes; throws `truncated` when the data ends first.
        func take(_ count: Int) throws -> UnsafeRawBufferPointer {
            // Room for `count` bytes and the checksum; computed without overflow for any count.
            guard count >= 0, count <= size - offset - 8 else {
                let (needed, overflow) = offset.addingReportingOverflow(count)
                throw CheckpointError.truncated(
                    expectedBytes: overflow || needed > Int.max - 8 ? Int.max : needed + 8,
                    foundBytes: size)
            }
            defer { offset += count }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
        }

        let magic = CheckpointFormat.magic
        guard zip(bytes, magic).allSatisfy({ $0 == $1 }) else { throw CheckpointError.notACheckpoint }
        guard size >= CheckpointFormat.minimumSize else {
            throw CheckpointError.truncated(expectedBytes: CheckpointFormat.minimumSize, foundBytes: size)
        }
        offset = magic.count
        let version = try integer(UInt32.self)
        guard (1...CheckpointFormat.version).contains(version) else {
            throw CheckpointError.unsupportedVersion(found: version, supported: CheckpointFormat.version)
        }
        metadata = try take(Int(try integer(UInt32.self)))
        let bufferCount = Int(try integer(UInt32.self))
        var buffers: [UnsafeRawBufferPointer] = []
        // Each buffer takes at least its 8-byte count: a count beyond that is truncation, found
        // without a loop of billions of iterations.
        guard bufferCount <= (size - offset - 8) / 8 else {
            throw CheckpointError.truncated(expectedBytes: offset + 8 * bufferCount + 8, foundBytes: size)
        }
        for _ in 0..<bufferCount {
            let elements = try integer(UInt64.self)
            guard elements <= UInt64(size / 4) else {
                throw CheckpointError.truncated(expectedBytes: Int.max, foundBytes: size)
            }
            buffers.append(try take(Int(elements) * 4))
        }
        self.buffers = buffers
        let end = offset + 8
        guard end == size else { throw CheckpointError.trailingBytes(count: size - end) }
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let content = UnsafeRawBufferPointer(rebasing: bytes[..<offset])
        let computed: UInt64
        if version == 1 {
            computed = fnv1a(content)
        } else {
            var checksum = StripeChecksum()
            checksum.update(content)
            computed = checksum.finalize()
        }
        guard stored == computed else { throw CheckpointError.checksumMismatch }
    }

    /// The optimizer type the metadata names.
    func optimizerName() throws -> String {
        struct Header: Decodable { let optimizer: String }
        return try decodeMetadata(Header.self).optimizer
    }

    func decodeMetadata<T: Decodable>(_: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(metadata))
        } catch let error as OptimizerError {
            throw error  // a decoded configuration outside its range
        } catch {
            throw CheckpointError.invalidContents("metadata: \(error)")
        }
    }
}

extension FlatTensor {
    /// A tensor of the little-endian floats in `bytes`.
    init(littleEndianBytes bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count / 4) { elements in
            #if _endian(little)
                if let base = elements.baseAddress {
                    UnsafeMutableRawPointer(base).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                }
            #else
                for index in elements.indices {
                    elements[index] = Float(
                        bitPattern: UInt32(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                }
            #endif
        }
    }
}

extension Checkpoint {
    /// The buffers a binary checkpoint stores raw: this module's states; other states keep
    /// theirs in the JSON metadata.
    private static var rawBuffers: [(name: String, path: WritableKeyPath<O.State, FlatTensor>)] {
        guard let state = O.State.self as? any ElementwiseState.Type else { return [] }
        func layout<S: ElementwiseState>(_: S.Type) -> [(name: String, path: AnyKeyPath)] {
            S.buffers.map { ($0.name, $0.path) }
        }
        return layout(state).map { ($0.name, $0.path as! WritableKeyPath<O.State, FlatTensor>) }
    }

    /// Reads a binary checkpoint, checking its length, magic number, version and checksum, and
    /// then its optimizer type. Nothing beyond the data's own size is allocated. The contents
    /// are checked by ``StatefulOptimizer/init(restoring:)``.
    ///
    /// - Parameter data: The bytes of a checkpoint file.
    /// - Throws: ``CheckpointError``; ``OptimizerError`` for hyperparameters outside their range.
    public init(binaryRepresentation data: Data) throws {
        self = try data.withUnsafeBytes { try Self(parsing: CheckpointFile($0)) }
    }

    /// Reads a binary checkpoint file (see ``init(binaryRepresentation:)``).
    ///
    /// - Parameter url: A file written by ``write(to:)``.
    /// - Throws: The file system's error, ``CheckpointError`` or ``OptimizerError``.
    public init(contentsOf url: URL) throws {
        try self.init(binaryRepresentation: Data(contentsOf: url, options: .alwaysMapped))
    }

    init(parsing file: CheckpointFile) throws {
        let name = try file.optimizerName()
        guard name == Self.typeName else { throw CheckpointError.wrongOptimizer(expected: Self.typeName, found: name) }
        self = try file.decodeMetadata(Self.self)
        let layout = Self.rawBuffers
        guard file.buffers.count <= layout.count else {
            throw CheckpointError.invalidContents("\(file.buffers.count) raw buffers, \(O.self) has \(layout.count)")
        }
        // Buffers a file does not have (an older file, written before a buffer existed) are empty.
        for (buffer, bytes) in zip(layout, file.buffers) {
            state[keyPath: buffer.path] = FlatTensor(littleEndianBytes: bytes)
        }
    }

    /// The binary representation, as one `Data`: the bytes ``write(to:)`` writes.
    ///
    /// - Returns: Magic number, version, JSON metadata, the raw buffers and a checksum.
    /// - Throws: `EncodingError` if the state cannot be encoded.
    public func binaryRepresentation() throws -> Data {
        var data = Data()
        try serialize { data.append(contentsOf: $0) }
        return data
    }

    /// Writes the binary representation atomically: to a temporary file in the same folder,
    /// then renamed over `url`, so a crash leaves either the old file or the new one. The
    /// buffers are written straight from the optimizer's memory: no copy of the state is made.
    ///
    /// - Parameter url: The file to create or replace; its folder must exist.
    /// - Throws: The file system's error; `EncodingError` if the state cannot be encoded.
    public func write(to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(
            ".\(url.lastPathComponent).\(UInt64.random(in: .min ... .max)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try serialize { bytes in
                try handle.write(
                    contentsOf: Data(
                        bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress!),
                        count: bytes.count, deallocator: .none))
            }
            try handle.synchronize()  // on disk before it replaces the old file
            try handle.close()
            // Replacing a file frees the old one's blocks, which on a file system mounted with
            // `discard` takes as long as writing it again (measured: 43 ms for 80 MB here). Held
            // open across the rename, the old file is freed when it is closed, in the background.
            let previous = try? FileHandle(forReadingFrom: url)
            if rename(temporary.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
            if let previous { DispatchQueue.global(qos: .utility).async { try? previous.close() } }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Hands the file's bytes to `sink` in order, in pieces, computing the checksum on the way.
    private func serialize(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var metadata = self
        let layout = Self.rawBuffers
        let buffers = layout.map { state[keyPath: $0.path] }
        for buffer in layout { metadata.state[keyPath: buffer.path] = FlatTensor() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same optimizer always gives the same bytes
        let json = try encoder.encode(metadata)

        var checksum = StripeChecksum()
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            guard !bytes.isEmpty else { return }
            checksum.update(bytes)
            try sink(bytes)
        }
        func emit<T: FixedWidthInteger>(_ value: T) throws {
            try withUnsafeBytes(of: value.littleEndian) { try emit($0) }
        }
        try CheckpointFormat.magic.withUnsafeBytes { try emit($0) }
        try emit(CheckpointFormat.version)
        try emit(UInt32(json.count))
        try json.withUnsafeBytes { try emit($0) }
        try emit(UInt32(buffers.count))
        for buffer in buffers {
            try emit(UInt64(buffer.count))
            #if _endian(little)
                try buffer.withUnsafeBufferPointer { try emit(UnsafeRawBufferPointer($0)) }
            #else
                for value in buffer { try emit(value.bitPattern) }
            #endif
        }
        try withUnsafeBytes(of: checksum.finalize().littleEndian) { try sink($0) }
    }
}
