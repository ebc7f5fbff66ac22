// The vector types every kernel is written against, once, generically.
//
// `FloatVector` lists each operation the kernels use as a requirement, and `SIMD8<Float>` and
// `SIMD16<Float>` meet them with their concrete operations. This matters: code generic over a
// protocol that merely refines `SIMD` resolves `a + b` to the standard library's generic
// lane-by-lane loop at type-checking time, which stays a loop after specialisation (measured:
// 30x slower); a requirement is dispatched to the concrete witness, which is one instruction.
//
// Everything here is public only so that the per-level modules (`_OptimizersAVX2`,
// `_OptimizersAVX512`) can specialise it; it is not API.

import _OptimizersShims

/// A vector of `laneCount` floats with the operations the kernels use.
public protocol FloatVector: Sendable {
    /// The same number of 32-bit unsigned lanes (bit patterns).
    associatedtype Bits: BitVector
    /// The result of a lane-wise comparison.
    associatedtype Mask

    static var laneCount: Int { get }
    init(repeating value: Float)

    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self

    static func .< (a: Self, b: Self) -> Mask
    static func .<= (a: Self, b: Self) -> Mask
    static func .== (a: Self, b: Self) -> Mask
    /// `other` in the lanes where `mask` is set, `self` elsewhere.
    func replacing(with other: Self, where mask: Mask) -> Self

    /// Correctly rounded square roots (one packed instruction).
    func squareRoots() -> Self
    /// Each lane converted to int32 toward zero, as bits (lanes must lie in the int32 range).
    func truncatedToInt32Bits() -> Bits
    /// Each lane of `bits`, read as an int32, converted to the nearest float.
    init(convertingInt32Bits bits: Bits)

    /// The IEEE bit patterns of the lanes.
    var bitPatterns: Bits { get }
    init(bitPatterns: Bits)

    /// Reads `laneCount` floats from `pointer` (any alignment).
    init(loadingFrom pointer: UnsafePointer<Float>)
    /// Writes the lanes to `pointer` (any alignment).
    func store(to pointer: UnsafeMutablePointer<Float>)
    subscript(lane: Int) -> Float { get set }

    /// How many eight-lane groups the vector holds (1 or 2).
    static var octetCount: Int { get }
    /// The `index`-th group of eight lanes. Reductions accumulate octets, so that sums come out
    /// bit for bit the same whatever the vector width.
    func octet(_ index: Int) -> SIMD8<Float>
}

/// A vector of 32-bit unsigned lanes, for bit manipulation of a ``FloatVector``.
public protocol BitVector: Sendable {
    init(repeating value: UInt32)
    static func & (a: Self, b: Self) -> Self
    static func | (a: Self, b: Self) -> Self
    static func ^ (a: Self, b: Self) -> Self
    static func &+ (a: Self, b: Self) -> Self
    static func &- (a: Self, b: Self) -> Self
    static func &* (a: Self, b: Self) -> Self
    static func &<< (a: Self, b: UInt32) -> Self
    static func &>> (a: Self, b: UInt32) -> Self
}

extension SIMD8: BitVector where Scalar == UInt32 {}
extension SIMD16: BitVector where Scalar == UInt32 {}

extension SIMD8: FloatVector where Scalar == Float {
    public typealias Bits = SIMD8<UInt32>
    @inlinable public static var laneCount: Int { 8 }
    @inlinable public static var octetCount: Int { 1 }

    @inlinable @inline(__always)
    public func squareRoots() -> Self { optimizers_sqrt8(self) }

    @inlinable @inline(__always)
    public func truncatedToInt32Bits() -> Bits {
        unsafeBitCast(optimizers_truncate8(self), to: Bits.self)
    }

    @inlinable @inline(__always)
    public init(convertingInt32Bits bits: Bits) {
        self = optimizers_convert8(unsafeBitCast(bits, to: SIMD8<Int32>.self))
    }

    @inlinable @inline(__always)
    public var bitPatterns: Bits { unsafeBitCast(self, to: Bits.self) }

    @inlinable @inline(__always)
    public init(bitPatterns: Bits) { self = unsafeBitCast(bitPatterns, to: Self.self) }

    @inlinable @inline(__always)
    public init(loadingFrom pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inlinable @inline(__always)
    public func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inlinable @inline(__always)
    public func octet(_ index: Int) -> SIMD8<Float> { self }
}

extension SIMD16: FloatVector where Scalar == Float {
    public typealias Bits = SIMD16<UInt32>
    @inlinable public static var laneCount: Int { 16 }
    @inlinable public static var octetCount: Int { 2 }

    @inlinable @inline(__always)
    public func squareRoots() -> Self { optimizers_sqrt16(self) }

    @inlinable @inline(__always)
    public func truncatedToInt32Bits() -> Bits {
        unsafeBitCast(optimizers_truncate16(self), to: Bits.self)
    }

    @inlinable @inline(__always)
    public init(convertingInt32Bits bits: Bits) {
        self = optimizers_convert16(unsafeBitCast(bits, to: SIMD16<Int32>.self))
    }

    @inlinable @inline(__always)
    public var bitPatterns: Bits { unsafeBitCast(self, to: Bits.self) }

    @inlinable @inline(__always)
    public init(bitPatterns: Bits) { self = unsafeBitCast(bitPatterns, to: Self.self) }

    @inlinable @inline(__always)
    public init(loadingFrom pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inlinable @inline(__always)
    public func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inlinable @inline(__always)
    public func octet(_ index: Int) -> SIMD8<Float> { index == 0 ? lowHalf : highHalf }
}

// Conveniences written once over the requirements.
extension FloatVector {
    @inlinable @inline(__always)
    public static var zero: Self { Self(repeating: 0) }

    /// Loads `lanes` consecutive floats from `pointer` (all of them when `lanes == laneCount`),
    /// padding the rest with zeros: the one partial vector at the end of a range.
    @inlinable @inline(__always)
    public init(loadingFrom pointer: UnsafePointer<Float>, lanes: Int) {
        if lanes == Self.laneCount {
            self.init(loadingFrom: pointer)
        } else {
            self.init(repeating: 0)
            for lane in 0..<lanes { self[lane] = pointer[lane] }
        }
    }

    @inlinable @inline(__always)
    public init(loadingFrom pointer: UnsafeMutablePointer<Float>, lanes: Int) {
        self.init(loadingFrom: UnsafePointer(pointer), lanes: lanes)
    }

    /// Stores the first `lanes` lanes to `pointer`.
    @inlinable @inline(__always)
    public func store(to pointer: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == Self.laneCount {
            store(to: pointer)
        } else {
            for lane in 0..<lanes { pointer[lane] = self[lane] }
        }
    }

    @inlinable @inline(__always)
    public func replacing(with value: Float, where mask: Mask) -> Self {
        replacing(with: Self(repeating: value), where: mask)
    }

    @inlinable @inline(__always)
    public mutating func replace(with other: Self, where mask: Mask) {
        self = replacing(with: other, where: mask)
    }

    @inlinable @inline(__always)
    public mutating func replace(with value: Float, where mask: Mask) {
        self = replacing(with: value, where: mask)
    }

    // Mixed vector-scalar arithmetic, for constants written in the formulas.
    @inlinable @inline(__always)
    public static func * (a: Self, b: Float) -> Self { a * Self(repeating: b) }
    @inlinable @inline(__always)
    public static func + (a: Self, b: Float) -> Self { a + Self(repeating: b) }
    @inlinable @inline(__always)
    public static func - (a: Self, b: Float) -> Self { a - Self(repeating: b) }
    @inlinable @inline(__always)
    public static func - (a: Float, b: Self) -> Self { Self(repeating: a) - b }
}

extension SIMD8 where Scalar == Float {
    /// The sum of the lanes in a fixed order, `((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7))`, so that
    /// it has the same bits at every instruction-set level (the standard library's `sum()` leaves
    /// the order to the compiler).
    @inlinable @inline(__always)
    public var orderedSum: Float {
        ((self[0] + self[1]) + (self[2] + self[3])) + ((self[4] + self[5]) + (self[6] + self[7]))
    }
}
