// The kernel layer: element-wise loops over raw buffers, one SIMD vector of `Lanes` at a time.
//
// Every optimizer kernel is written once, as a body over `Lanes` vectors. `forEachVector` runs
// it over full vectors and then once over the tail, which is loaded into a zero-padded vector
// and stored back lane by lane; the tail therefore computes exactly what the body computes.
// Nothing in this folder is public API.

/// The SIMD vector every kernel works on. Eight lanes are two SSE registers on the baseline
/// x86-64 target (one AVX register with `-target-cpu haswell`), and give the out-of-order core
/// two independent chains to overlap long-latency `sqrt` and division.
typealias Lanes = SIMD8<Float>
/// The unsigned integer vector with the same width, for bit manipulation of `Lanes`.
typealias LaneBits = SIMD8<UInt32>

extension SIMD8 where Scalar == Float {
    /// Loads `lanes` consecutive floats from `pointer` (all of them when `lanes == scalarCount`),
    /// padding the rest with zeros.
    @inline(__always)
    init(loading pointer: UnsafePointer<Float>, lanes: Int) {
        if lanes == Self.scalarCount {
            self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
        } else {
            self = .zero
            for lane in 0..<lanes { self[lane] = pointer[lane] }
        }
    }

    @inline(__always)
    init(loading pointer: UnsafeMutablePointer<Float>, lanes: Int) {
        self.init(loading: UnsafePointer(pointer), lanes: lanes)
    }

    /// Stores the first `lanes` lanes to `pointer`.
    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == Self.scalarCount {
            UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
        } else {
            for lane in 0..<lanes { pointer[lane] = self[lane] }
        }
    }
}

/// Calls `body(offset, lanes)` for `offset` = 0, W, 2W, ... covering `0..<count`, with
/// `lanes == W` (the vector width) except for a final partial group.
@inline(__always)
func forEachVector(count: Int, _ body: (_ offset: Int, _ lanes: Int) -> Void) {
    let width = Lanes.scalarCount
    var offset = 0
    while offset + width <= count {
        body(offset, width)
        offset += width
    }
    if offset < count {
        body(offset, count - offset)
    }
}
