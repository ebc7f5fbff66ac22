// Kernels over plain float buffers: the gradient check, in-place arithmetic and the sum of
// squares behind gradient clipping.

/// The first NaN or infinite element of `values[range]`, written as an `Int` to the output
/// (`Int.max` when every element is finite).
public struct NonFiniteScan {
    /// Elements per block: a block is summed without a branch, and only a block that contains
    /// a non-finite value is searched element by element.
    @inlinable public static var blockSize: Int { 4096 }

    /// The index of the first NaN or infinite value in `values[range]`, or nil.
    ///
    /// `x * 0` is 0 for every finite `x` and NaN for NaN and infinities, so a block is clean
    /// exactly when the sum of its `x * 0` is 0. Two accumulators keep two add chains in flight.
    @inlinable @inline(__always)
    public static func firstNonFinite<V: FloatVector>(_ values: UnsafePointer<Float>, in range: Range<Int>, _: V.Type)
        -> Int?
    {
        var start = range.lowerBound
        while start < range.upperBound {
            let length = min(blockSize, range.upperBound - start)
            let block = values + start
            var even = V.zero, odd = V.zero
            var offset = 0
            let width = V.laneCount
            while offset + 2 * width <= length {
                even = even + V(loadingFrom: block + offset) * 0
                odd = odd + V(loadingFrom: block + offset + width) * 0
                offset += 2 * width
            }
            while offset < length {
                let lanes = min(width, length - offset)
                even = even + V(loadingFrom: block + offset, lanes: lanes) * 0
                offset += lanes
            }
            let total = even + odd
            var clean = true
            for lane in 0..<V.laneCount where total[lane] != 0 { clean = false }
            if !clean {
                for index in 0..<length where !block[index].isFinite {
                    return start + index
                }
            }
            start += length
        }
        return nil
    }

    /// The entry point: `arguments` points to the values' base address.
    @inlinable
    public static func entry<V: FloatVector>(_: V.Type) -> KernelFunction {
        KernelFunction { arguments, range, output in
            let values = arguments.load(as: UnsafePointer<Float>.self)
            output!.storeBytes(of: firstNonFinite(values, in: range, V.self) ?? .max, as: Int.self)
        }
    }
}

/// Arguments of the in-place tensor kernels: `destination` op= `factor` (and `source`).
public struct TensorArguments {
    public var destination: UnsafeMutablePointer<Float>
    /// The other operand (unused by `zero` and `scale`).
    public var source: UnsafePointer<Float>
    public var factor: Float

    @inlinable
    public init(destination: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>, factor: Float) {
        (self.destination, self.source, self.factor) = (destination, source, factor)
    }
}

/// The in-place operations on a tensor, each one pass over its buffers.
public enum TensorOperation: Sendable {
    /// `x = 0`.
    case zero
    /// `x = y`.
    case copy
    /// `x = factor * x`.
    case scale
    /// `x = x + factor * y`.
    case addScaled
    /// `x = (x + y) / factor`: the last micro-batch of an average, in the same pass as its sum.
    case addThenDivide
}

/// One ``TensorOperation`` as a kernel.
public struct TensorKernel<Vector: FloatVector, Operation: TensorOperationType>: ElementwiseKernel {
    @usableFromInline let destination: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>
    @usableFromInline let factor: Vector

    @inlinable @inline(__always)
    public init(_ a: TensorArguments) {
        (destination, source, factor) = (a.destination, a.source, Vector(repeating: a.factor))
    }

    @inlinable public var parameters: UnsafeMutablePointer<Float> { destination }

    /// One padded partial vector up to the first address that is a multiple of the vector's
    /// size, then whole vectors: a store that straddles two cache lines costs a pure store
    /// stream about 10%, and a tensor's elements need not start on a line. Element-wise, so the
    /// bits do not depend on where the vectors start.
    @inlinable @inline(__always)
    public func run(over range: Range<Int>) {
        let width = Vector.laneCount
        let misaligned = (Int(bitPattern: destination + range.lowerBound) / 4) % width
        let head = min(range.count, (width - misaligned) % width)
        if head > 0 { apply(at: range.lowerBound, lanes: head) }
        runVectorByVector(over: (range.lowerBound + head)..<range.upperBound)
    }

    @inlinable @inline(__always)
    public func apply(at i: Int, lanes: Int) {
        let result: Vector
        switch Operation.operation {
        case .zero: result = .zero
        case .copy: result = Vector(loadingFrom: source + i, lanes: lanes)
        case .scale: result = Vector(loadingFrom: destination + i, lanes: lanes) * factor
        case .addScaled:
            result =
                Vector(loadingFrom: destination + i, lanes: lanes) + factor
                * Vector(loadingFrom: source + i, lanes: lanes)
        case .addThenDivide:
            result =
                (Vector(loadingFrom: destination + i, lanes: lanes) + Vector(loadingFrom: source + i, lanes: lanes))
                / factor
        }
        result.store(to: destination + i, lanes: lanes)
    }
}

/// A ``TensorOperation`` as a type, so that each kernel is compiled without the switch.
public protocol TensorOperationType { static var operation: TensorOperation { get } }
public enum ZeroOperation: TensorOperationType { @inlinable public static var operation: TensorOperation { .zero } }
public enum CopyOperation: TensorOperationType { @inlinable public static var operation: TensorOperation { .copy } }
public enum ScaleOperation: TensorOperationType { @inlinable public static var operation: TensorOperation { .scale } }
public enum AddScaledOperation: TensorOperationType {
    @inlinable public static var operation: TensorOperation { .addScaled }
}
public enum AddThenDivideOperation: TensorOperationType {
    @inlinable public static var operation: TensorOperation { .addThenDivide }
}

/// Arguments of the sum of squares: `values[start..<end]` cut into `tileCount` tiles by
/// `tile(_:)`; the pass over tile indices `range` writes tile `t`'s sum to `partials[t]`.
public struct SumOfSquaresArguments {
    public var values: UnsafePointer<Float>
    public var start: Int, end: Int, tileCount: Int
    public var partials: UnsafeMutablePointer<Double>

    @inlinable
    public init(
        values: UnsafePointer<Float>, start: Int, end: Int, tileCount: Int, partials: UnsafeMutablePointer<Double>
    ) {
        (self.values, self.start, self.end, self.tileCount, self.partials) = (values, start, end, tileCount, partials)
    }

    /// Tile `t`: equal parts on multiples of 256 elements (the block size) from `start`.
    @inlinable
    public func tile(_ t: Int) -> Range<Int> {
        let blocks = (end - start + 255) / 256
        func boundary(_ index: Int) -> Int {
            index == tileCount ? end : min(end, start + blocks * index / tileCount * 256)
        }
        return boundary(t)..<boundary(t + 1)
    }
}

/// The sum of squares behind gradient clipping, the same bits at every level and thread count:
/// squares are summed in eight float lanes over blocks of 256 elements (the partial last octet
/// and elements past it in double precision), the blocks in double precision, in order; a
/// block whose float squares overflow (elements above about 1e19) is summed again in double
/// precision, so finite values always give a finite sum. Tiles are fixed by the caller,
/// independent of the thread count.
public enum SumOfSquares {
    @inlinable @inline(__always)
    public static func sum(_ values: UnsafePointer<Float>, _ range: Range<Int>) -> Double {
        var total = 0.0
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + 256, range.upperBound)
            var lanes = SIMD8<Float>(repeating: 0)
            var index = start
            while index + 8 <= end {
                let v = UnsafeRawPointer(values + index).loadUnaligned(as: SIMD8<Float>.self)
                lanes += v * v
                index += 8
            }
            var block = Double(lanes.orderedSum)
            for tail in index..<end { block += Double(values[tail]) * Double(values[tail]) }
            if block == .infinity {  // float squares overflowed: redo the block in double precision
                block = (start..<end).reduce(0.0) { $0 + Double(values[$1]) * Double(values[$1]) }
            }
            total += block
            start = end
        }
        return total
    }

    @inlinable
    public static var entry: KernelFunction {
        KernelFunction { arguments, range, _ in
            let a = arguments.load(as: SumOfSquaresArguments.self)
            for tile in range { a.partials[tile] = sum(a.values, a.tile(tile)) }
        }
    }
}
