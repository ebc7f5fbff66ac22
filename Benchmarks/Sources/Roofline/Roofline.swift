import Foundation

/// The speed limit of an element-wise optimizer step: a plain streaming loop over the same
/// buffers with the same reads and writes, and almost no arithmetic.
///
/// An optimizer step reads its gradient and reads and writes its parameters and each state
/// buffer once per element. `StreamingLoop(readOnly: 1, readWrite: 3)` moves exactly the bytes
/// of AdamW or S3 (read 4 floats, write 3), `(1, 2)` those of SGD with momentum or Lion, `(1, 5)`
/// those of Adan. The loop uses the same eight-lane SIMD loads and stores as the kernels and
/// splits its range across threads the same way.
public struct StreamingLoop: Sendable {
    public let readOnly: Int
    public let readWrite: Int

    public init(readOnly: Int, readWrite: Int) {
        (self.readOnly, self.readWrite) = (readOnly, readWrite)
    }

    /// Bytes moved per element (4 per float read, 4 per float written).
    public var bytesPerElement: Int { 4 * (readOnly + 2 * readWrite) }

    /// Buffers of `count` floats for the loop (read-only ones first).
    public func makeBuffers(count: Int) -> [UnsafeMutablePointer<Float>] {
        (0..<(readOnly + readWrite)).map { index in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: Float(index + 1) * 0.001, count: count)
            return buffer
        }
    }

    /// One pass: every read-write buffer becomes `0.5 * itself + gradient`; with no read-write
    /// buffer, the gradient is only read (the cost of the non-finite check).
    public func run(_ buffers: [UnsafeMutablePointer<Float>], count: Int, threads: Int) {
        let pointers = Pointers(buffers)
        let readOnly = self.readOnly
        let chunks = threads
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lines = (count + 15) / 16
            let start = min(count, lines * chunk / chunks * 16)
            let end = chunk == chunks - 1 ? count : min(count, lines * (chunk + 1) / chunks * 16)
            Self.stream(pointers.values, readOnly: readOnly, range: start..<end)
        }
    }

    /// The loop over `range` for the supported shapes, each a struct with its pointers in
    /// stored properties and an always-inlined body (as the optimizer kernels are written).
    static func stream(_ b: [UnsafeMutablePointer<Float>], readOnly: Int, range: Range<Int>) {
        precondition(readOnly == 1, "one read-only buffer (the gradient)")
        switch b.count {
        case 1: loop(range, ReadOnly(g: b[0]))
        case 2: loop(range, Update1(g: b[0], x: b[1]))
        case 3: loop(range, Update2(g: b[0], x: b[1], m: b[2]))
        case 4: loop(range, Update3(g: b[0], x: b[1], m: b[2], v: b[3]))
        case 6: loop(range, Update5(g: b[0], x: b[1], m: b[2], d: b[3], n: b[4], p: b[5]))
        default: preconditionFailure("unsupported shape")
        }
    }

    typealias V = SIMD8<Float>

    @inline(__always)
    static func loop<S: StreamShape>(_ range: Range<Int>, _ shape: S) {
        var sink = V.zero
        var i = range.lowerBound
        while i + 8 <= range.upperBound {  // the ragged end (< 8 elements) is noise here
            sink += shape.apply(i)
            i += 8
        }
        if sink[0] == .infinity { print("") }  // keeps the read-only loop's loads alive
    }

    private struct Pointers: @unchecked Sendable {
        let values: [UnsafeMutablePointer<Float>]
        init(_ values: [UnsafeMutablePointer<Float>]) { self.values = values }
    }
}

protocol StreamShape {
    func apply(_ i: Int) -> SIMD8<Float>
}

@inline(__always) private func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func update(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ g: SIMD8<Float>) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: load(p, i) * 0.5 + g, as: SIMD8<Float>.self)
}

private struct ReadOnly: StreamShape {
    let g: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int) -> SIMD8<Float> { load(g, i) }
}

private struct Update1: StreamShape {
    let g, x: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int) -> SIMD8<Float> {
        update(x, i, load(g, i))
        return .zero
    }
}

private struct Update2: StreamShape {
    let g, x, m: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int) -> SIMD8<Float> {
        let gi = load(g, i)
        update(x, i, gi)
        update(m, i, gi)
        return .zero
    }
}

private struct Update3: StreamShape {
    let g, x, m, v: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int) -> SIMD8<Float> {
        let gi = load(g, i)
        update(x, i, gi)
        update(m, i, gi)
        update(v, i, gi)
        return .zero
    }
}

private struct Update5: StreamShape {
    let g, x, m, d, n, p: UnsafeMutablePointer<Float>
    @inline(__always) func apply(_ i: Int) -> SIMD8<Float> {
        let gi = load(g, i)
        update(x, i, gi)
        update(m, i, gi)
        update(d, i, gi)
        update(n, i, gi)
        update(p, i, gi)
        return .zero
    }
}
