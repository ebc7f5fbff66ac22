// The kernel layer: element-wise loops over raw buffers, one SIMD vector of `Lanes` at a time.
//
// Every optimizer kernel is written once, as a body over `Lanes` vectors (a `VectorKernel`).
// `forEachVector` runs it over full vectors and then once over the tail, which is loaded into a
// zero-padded vector and stored back lane by lane; the tail computes exactly what the body does.
// Nothing in this folder is public API.

/// The SIMD vector every kernel works on. Eight lanes are two SSE registers on the baseline
/// x86-64 target (one AVX register with `-target-cpu haswell`), and give the out-of-order core
/// two independent chains to overlap long-latency `sqrt` and division. (Sixteen lanes were
/// measured slower on SSE: the kernels then run out of the 16 vector registers.)
///
/// Per-step scalars reach the kernels already broadcast to `Lanes` (see the `Coefficients`
/// structs): given scalar fields that sit next to each other, LLVM's SLP vectoriser pairs
/// `a * x + b * y` into two-lane vectors and splits the eight-lane arithmetic into shuffles
/// and scalar operations (measured: S3 with p = 1 at half speed).
typealias Lanes = SIMD8<Float>
/// The unsigned integer vector with the same width, for bit manipulation of `Lanes`.
typealias LaneBits = SIMD8<UInt32>
/// The signed integer vector with the same width.
typealias LaneInts = SIMD8<Int32>

extension Lanes {
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

/// One element-wise kernel: the work for `lanes` consecutive elements starting at `offset`
/// (`lanes` is the vector width except for a final partial vector). Implementations are
/// `@inline(__always)`, so that `forEachVector` specialises into one straight loop.
protocol VectorKernel {
    func apply(_ offset: Int, lanes: Int)
    /// This kernel as a job for the worker pool.
    var job: ParallelJob { get }
    /// The parameters it updates (read before and after the update by telemetry).
    var x: UnsafeMutablePointer<Float> { get }
}

/// Runs `kernel` over `range`: full vectors, then one padded partial vector for the rest.
@inline(__always)
func forEachVector<K: VectorKernel>(in range: Range<Int>, _ kernel: K) {
    let width = Lanes.scalarCount
    var offset = range.lowerBound
    while offset + width <= range.upperBound {
        kernel.apply(offset, lanes: width)
        offset += width
    }
    if offset < range.upperBound {
        kernel.apply(offset, lanes: range.upperBound - offset)
    }
}
