// The kernel layer: element-wise loops over raw buffers, one vector of `Vector.laneCount` lanes at
// a time, and the entry points through which the rest of the library runs them.
//
// Every optimizer's update is written once, as a body over vectors (an `ElementwiseKernel`).
// `run(over:)` applies it to full vectors and then once to the tail, which is loaded into a
// zero-padded vector and stored back lane by lane, so the tail computes exactly what the body
// does and a step over n elements equals n steps over one element, bit for bit.

/// One element-wise update: the work for `lanes` consecutive elements starting at an offset
/// (`lanes` is the vector width except for one final partial vector). Conforming types hold
/// their pointers and their per-step coefficients, already broadcast to vectors.
public protocol ElementwiseKernel: KernelMetatype {
    associatedtype Vector: FloatVector
    /// The plain-data arguments (scalars and pointers) the optimizer builds once per step.
    associatedtype Arguments
    /// Broadcasts the arguments' scalars to vectors.
    init(_ arguments: Arguments)
    /// The parameters the kernel updates (read before and after by telemetry).
    var parameters: UnsafeMutablePointer<Float> { get }
    func apply(at offset: Int, lanes: Int)
    /// Applies the kernel to every element of `range`. The default goes vector by vector (full
    /// vectors, then one padded partial vector); a kernel whose work per element is one long
    /// chain of dependent operations can work in passes over short blocks instead (S3).
    func run(over range: Range<Int>)
}

/// Elements per block of the block-wise loops (telemetry, S3's passes): 256, so that a block's
/// working set stays in L1 and block boundaries fall on whole vectors at every width.
public let blockElements = 256

extension ElementwiseKernel {
    @inlinable @inline(__always)
    public func run(over range: Range<Int>) { runVectorByVector(over: range) }

    /// Full vectors of the constant width, then one padded partial vector: the width must be a
    /// constant in the loop (a computed lane count for every vector makes the compiler keep
    /// the padded path, lane by lane, in the loop).
    @inlinable @inline(__always)
    public func runVectorByVector(over range: Range<Int>) {
        let width = Vector.laneCount
        var offset = range.lowerBound
        while offset + width <= range.upperBound {
            apply(at: offset, lanes: width)
            offset += width
        }
        if offset < range.upperBound {
            apply(at: offset, lanes: range.upperBound - offset)
        }
    }

    /// `run(over:)`, also measuring each element's update `|x_after - x_before| * scale` into
    /// `statistics` (whose `scale` the caller sets). Block by block, the parameters are copied
    /// aside (in L1), the block is updated, and the changes are read against the copy.
    @inlinable @inline(__always)
    public func run(over range: Range<Int>, recordingInto statistics: inout PartialUpdateStatistics) {
        var accumulator = UpdateAccumulator<Vector>(scale: statistics.scale)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockElements) { before in
            var start = range.lowerBound
            while start < range.upperBound {
                let count = min(blockElements, range.upperBound - start)
                before.baseAddress!.update(from: parameters + start, count: count)
                run(over: start..<(start + count))
                accumulator.add(before: before.baseAddress!, after: parameters + start, count: count)
                start += count
            }
        }
        statistics.merge(accumulator.finish(count: range.count))
    }

    /// The kernel's entry point: builds the kernel from the arguments `arguments` points to and
    /// runs it over `range`; with a non-nil `output` (a ``PartialUpdateStatistics`` whose scale
    /// is set), the recording variant.
    @inlinable @inline(__always)
    public static var entry: KernelFunction {
        KernelFunction { arguments, range, output in
            let kernel = Self(arguments.load(as: Arguments.self))
            guard let output else { return kernel.run(over: range) }
            kernel.run(
                over: range, recordingInto: &output.assumingMemoryBound(to: PartialUpdateStatistics.self).pointee)
        }
    }
}

/// A kernel's entry point: runs the kernel whose arguments (a plain-data struct of scalars and
/// pointers) `arguments` points to over `range`, writing its result, if it has one, to `output`.
///
/// The closure captures nothing, so calling and copying it allocates nothing; each
/// ``KernelTable`` holds entry points specialised for one vector type, compiled for one
/// instruction-set level. It is wrapped in a struct because arrays store a bare closure in its
/// most general representation, behind a reabstraction thunk, and Swift marks calls made inside
/// a thunk `noinline`, which keeps the vector shims (`sqrtps`) from being inlined into the loop.
public struct KernelFunction: Sendable {
    @usableFromInline
    let body: @Sendable (_ arguments: UnsafeRawPointer, _ range: Range<Int>, _ output: UnsafeMutableRawPointer?) -> Void

    @inlinable
    public init(_ body: @escaping @Sendable (UnsafeRawPointer, Range<Int>, UnsafeMutableRawPointer?) -> Void) {
        self.body = body
    }

    @inlinable
    public func callAsFunction(_ arguments: UnsafeRawPointer, _ range: Range<Int>, _ output: UnsafeMutableRawPointer?) {
        body(arguments, range, output)
    }
}

#if compiler(>=6.2)
    /// Kernel types are used from the entry closures, which run on any thread.
    public typealias KernelMetatype = SendableMetatype
#else
    /// Kernel types are used from the entry closures (compilers before 6.2 do not check metatypes).
    public protocol KernelMetatype {}
#endif

/// Statistics of `|x_after - x_before| * scale` over some elements (`scale` is `1 / lr`: the
/// quantity Theorems 1 and 2 of the S3 paper bound). Partial results of chunks merge.
public struct PartialUpdateStatistics: Sendable, Equatable {
    /// Set by the caller before a recording run: `1 / lr`.
    public var scale: Float
    public var largest: Float = 0
    public var sumOfSquares: Double = 0
    public var count = 0

    @inlinable
    public init(scale: Float) { self.scale = scale }

    @inlinable
    public mutating func merge(_ other: PartialUpdateStatistics) {
        largest = max(largest, other.largest)
        sumOfSquares += other.sumOfSquares
        count += other.count
    }
}

/// The running maximum and sum of squares of the updates. Squares are summed in eight float
/// lanes over 4096 elements, then in double precision, so the sums have the same bits whatever
/// the vector width.
@usableFromInline
struct UpdateAccumulator<Vector: FloatVector> {
    @usableFromInline let scale: Vector
    @usableFromInline var largest = Vector.zero
    @usableFromInline var squares = SIMD8<Float>(repeating: 0)
    @usableFromInline var octets = 0
    @usableFromInline var sumOfSquares = 0.0

    @inlinable
    init(scale: Float) { self.scale = Vector(repeating: scale) }

    /// Adds the changes of `count` elements, `after - before`, vector by vector.
    @inlinable @inline(__always)
    mutating func add(before: UnsafePointer<Float>, after: UnsafePointer<Float>, count: Int) {
        var offset = 0
        while offset < count {
            let lanes = min(Vector.laneCount, count - offset)
            let change =
                ((Vector(loadingFrom: after + offset, lanes: lanes) - Vector(loadingFrom: before + offset, lanes: lanes))
                * scale).magnitudes
            largest = largest.lanesMax(change)
            let squared = change * change
            for index in 0..<Vector.octetCount {
                squares += squared.octet(index)
                octets += 1
                if octets == 512 {
                    sumOfSquares += Double(squares.orderedSum)
                    squares = SIMD8<Float>(repeating: 0)
                    octets = 0
                }
            }
            offset += lanes
        }
    }

    @inlinable
    func finish(count: Int) -> PartialUpdateStatistics {
        var result = PartialUpdateStatistics(scale: 0)
        var largestLane: Float = 0
        for lane in 0..<Vector.laneCount { largestLane = max(largestLane, largest[lane]) }
        result.largest = largestLane
        result.sumOfSquares = sumOfSquares + Double(squares.orderedSum)
        result.count = count
        return result
    }
}
