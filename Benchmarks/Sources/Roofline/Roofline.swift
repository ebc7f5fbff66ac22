import Foundation

/// The speed limit of an element-wise optimizer step: a plain streaming loop over the same
/// buffers with the same reads and writes and almost no arithmetic, built for the same
/// instruction-set level as the kernels it is compared with.
///
/// An optimizer step reads its gradient and reads and writes its parameters and each state
/// buffer once per element. `StreamingLoop(readOnly: 1, readWrite: 3)` moves exactly the bytes
/// of AdamW or S3 (read 4 floats, write 3), `(1, 2)` those of SGD with momentum or Lion, `(1, 5)`
/// those of Adan; `(0, 0, writeOnly: 1)` those of `FlatTensor.zero()`. The loop uses the vector
/// width of its ``StreamingTable`` (eight lanes, sixteen with AVX-512) and splits its range across
/// threads the same way as the library.
public struct StreamingLoop: Sendable {
    public let readOnly: Int
    public let readWrite: Int
    public let writeOnly: Int

    public init(readOnly: Int, readWrite: Int, writeOnly: Int = 0) {
        (self.readOnly, self.readWrite, self.writeOnly) = (readOnly, readWrite, writeOnly)
    }

    /// Bytes moved per element (4 per float read, 4 per float written).
    public var bytesPerElement: Int { 4 * (readOnly + 2 * readWrite + writeOnly) }

    /// Buffers of `count` floats for the loop (read-only ones first, then read-write, then
    /// write-only), each starting on a 64-byte cache line: a loop whose vectors straddle cache
    /// lines is slower than what the hardware can do, and would flatter what it is compared with.
    public func makeBuffers(count: Int) -> [UnsafeMutablePointer<Float>] {
        (0..<(readOnly + readWrite + writeOnly)).map { index in
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4 * max(count, 1), alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
            buffer.initialize(repeating: Float(index + 1) * 0.001, count: count)
            return buffer
        }
    }

    /// One pass: every read-write buffer becomes `0.5 * itself + gradient`, every write-only
    /// buffer the gradient (or 0); with no written buffer, the gradient is only read (the cost
    /// of the non-finite check).
    public func run(_ buffers: [UnsafeMutablePointer<Float>], count: Int, threads: Int, table: StreamingTable) {
        let pass = StreamingPass(
            buffers: buffers, readOnly: readOnly, readWrite: readWrite, writeOnly: writeOnly, count: count)
        let chunks = threads
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lines = (count + 15) / 16
            let start = min(count, lines * chunk / chunks * 16)
            let end = chunk == chunks - 1 ? count : min(count, lines * (chunk + 1) / chunks * 16)
            table.stream(pass, start..<end)
        }
    }
}

/// One streaming pass as plain data.
public struct StreamingPass: @unchecked Sendable {
    public let buffers: [UnsafeMutablePointer<Float>]
    public let readOnly: Int, readWrite: Int, writeOnly: Int, count: Int
}

/// The vector operations the streaming loops need, met by `SIMD8<Float>` and `SIMD16<Float>`
/// with their concrete (packed) operations.
public protocol StreamLanes: Sendable {
    static var count: Int { get }
    init(streamingFrom pointer: UnsafePointer<Float>)
    func stream(to pointer: UnsafeMutablePointer<Float>)
    /// `0.5 * x + g`.
    static func blend(_ x: Self, _ g: Self) -> Self
    static func + (a: Self, b: Self) -> Self
}

extension SIMD8: StreamLanes where Scalar == Float {
    @inlinable public static var count: Int { 8 }
    @inlinable @inline(__always)
    public init(streamingFrom pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }
    @inlinable @inline(__always)
    public func stream(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }
    @inlinable @inline(__always)
    public static func blend(_ x: Self, _ g: Self) -> Self { x * 0.5 + g }
}

extension SIMD16: StreamLanes where Scalar == Float {
    @inlinable public static var count: Int { 16 }
    @inlinable @inline(__always)
    public init(streamingFrom pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }
    @inlinable @inline(__always)
    public func stream(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }
    @inlinable @inline(__always)
    public static func blend(_ x: Self, _ g: Self) -> Self { x * 0.5 + g }
}

/// The streaming loops of every shape, specialised for one vector type (compiled per level,
/// as the library's kernels are: see `RooflineAVX2` and `RooflineAVX512`).
public struct StreamingTable: Sendable {
    public let stream: @Sendable (StreamingPass, Range<Int>) -> Void

    @inlinable
    public init<V: StreamLanes>(_: V.Type) {
        stream = { pass, range in
            let b = pass.buffers
            switch (pass.readOnly, pass.readWrite, pass.writeOnly) {
            case (1, 0, 0): Self.readOnly(V.self, b[0], range)
            case (0, 0, 1): Self.fill(V.self, b[0], range)
            case (0, 1, 0):
                Self.loop(V.self, range) { i in
                    V.blend(V(streamingFrom: b[0] + i), V(streamingFrom: b[0] + i)).stream(to: b[0] + i)
                }
            case (1, 1, 0):
                Self.loop(V.self, range) { i in
                    V.blend(V(streamingFrom: b[1] + i), V(streamingFrom: b[0] + i)).stream(to: b[1] + i)
                }
            case (2, 1, 0):
                Self.loop(V.self, range) { i in
                    (V(streamingFrom: b[2] + i) + V.blend(V(streamingFrom: b[1] + i), V(streamingFrom: b[0] + i)))
                        .stream(to: b[2] + i)
                }
            case let (1, writes, 0):
                Self.loop(V.self, range) { i in
                    let g = V(streamingFrom: b[0] + i)
                    for w in 1...writes { V.blend(V(streamingFrom: b[w] + i), g).stream(to: b[w] + i) }
                }
            default: preconditionFailure("unsupported shape \(pass.readOnly) / \(pass.readWrite) / \(pass.writeOnly)")
            }
        }
    }

    @inlinable @inline(__always)
    static func loop<V: StreamLanes>(_: V.Type, _ range: Range<Int>, _ body: (Int) -> Void) {
        var i = range.lowerBound
        while i + V.count <= range.upperBound {  // the ragged end (< one vector) is noise here
            body(i)
            i += V.count
        }
    }

    @inlinable @inline(__always)
    static func readOnly<V: StreamLanes>(_: V.Type, _ g: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        var (even, odd) = (V(streamingFrom: g), V(streamingFrom: g))
        var i = range.lowerBound
        while i + 2 * V.count <= range.upperBound {
            even = even + V(streamingFrom: g + i)
            odd = odd + V(streamingFrom: g + i + V.count)
            i += 2 * V.count
        }
        withUnsafeBytes(of: even + odd) { if $0.load(as: Float.self) == .infinity { print("") } }  // keeps the loads alive
    }

    @inlinable @inline(__always)
    static func fill<V: StreamLanes>(_: V.Type, _ x: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let zero = V.blend(V(streamingFrom: x), V(streamingFrom: x))  // any vector: the stores are what counts
        loop(V.self, range) { i in zero.stream(to: x + i) }
    }

    /// The baseline table (eight lanes, compiled with this module).
    public static let baseline = StreamingTable(SIMD8<Float>.self)
}
