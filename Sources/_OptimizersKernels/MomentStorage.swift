/// How a kernel's two moment buffers are held between steps: loads give float32 lanes, stores
/// take them. `seed` is per-element bits a rounding may draw on.
public protocol MomentStorage {
    static func load<V: FloatVector>(
        _ first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>,
        at offset: Int, lanes: Int
    ) -> (first: V, second: V)
    static func store<V: FloatVector>(
        _ first: V, _ second: V, to firstBuffer: UnsafeMutablePointer<Float>,
        _ secondBuffer: UnsafeMutablePointer<Float>, at offset: Int, lanes: Int,
        seed: V.Bits)
}

/// Two float32 buffers.
public enum Float32Moments: MomentStorage {
    @inlinable @inline(__always)
    public static func load<V: FloatVector>(
        _ first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>,
        at offset: Int, lanes: Int
    ) -> (first: V, second: V) {
        (V(loadingFrom: first + offset, lanes: lanes), V(loadingFrom: second + offset, lanes: lanes))
    }

    @inlinable @inline(__always)
    public static func store<V: FloatVector>(
        _ first: V, _ second: V, to firstBuffer: UnsafeMutablePointer<Float>,
        _ secondBuffer: UnsafeMutablePointer<Float>, at offset: Int,
        lanes: Int, seed: V.Bits
    ) {
        first.store(to: firstBuffer + offset, lanes: lanes)
        second.store(to: secondBuffer + offset, lanes: lanes)
    }
}

/// Both moments as a ``BFloat16Pair`` per element in the first buffer (the second is unused);
/// each conforming type chooses how to round when storing.
public protocol BFloat16PairStorage: MomentStorage {}

extension BFloat16PairStorage {
    @inlinable @inline(__always)
    public static func load<V: FloatVector>(
        _ first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>,
        at offset: Int, lanes: Int
    ) -> (first: V, second: V) {
        let (high, low): (V, V) = BFloat16Pair.load(first + offset, lanes: lanes)
        return (high, low)
    }
}

/// Two bfloat16 values per 32-bit slot: the first in the high half (so the slot, read as a
/// float, is the first value to within 2^-8), the second in the low half. Rounding happens on
/// float32 lanes whose low 16 bits are then dropped; all of it is integer lane arithmetic.
public enum BFloat16Pair {
    /// The largest finite bfloat16, 3.39e38: values are capped here before rounding up.
    @inlinable
    public static var largestFinite: Float { Float(bitPattern: 0x7f7f_0000) }

    /// The two halves of each slot as floats.
    @inlinable @inline(__always)
    public static func load<V: FloatVector>(_ slots: UnsafeMutablePointer<Float>, lanes: Int) -> (high: V, low: V) {
        let bits = V(loadingFrom: slots, lanes: lanes).bitPatterns
        return (V(bitPatterns: bits & V.Bits(repeating: 0xffff_0000)), V(bitPatterns: bits &<< 16))
    }

    /// Stores two lanes of bfloat16 values (floats whose low 16 bits are zero).
    @inlinable @inline(__always)
    public static func store<V: FloatVector>(high: V, low: V, to slots: UnsafeMutablePointer<Float>, lanes: Int) {
        V(bitPatterns: high.bitPatterns | (low.bitPatterns &>> 16)).store(to: slots, lanes: lanes)
    }

    /// Each finite lane rounded to the nearest bfloat16, ties to even.
    @inlinable @inline(__always)
    public static func nearest<V: FloatVector>(_ x: V) -> V {
        let bits = x.bitPatterns
        let rounded = bits &+ V.Bits(repeating: 0x7fff) &+ ((bits &>> 16) & V.Bits(repeating: 1))
        return V(bitPatterns: rounded & V.Bits(repeating: 0xffff_0000))
    }

    /// Each finite lane rounded to one of its two neighbouring bfloat16 values, up in magnitude
    /// with probability equal to the distance from the lower one (in units of the gap), when
    /// the low 16 bits of `dither` are uniform: unbiased, so averages that move by less than a
    /// bfloat16 step per update still move on average.
    @inlinable @inline(__always)
    public static func dithered<V: FloatVector>(_ x: V, _ dither: V.Bits) -> V {
        V(bitPatterns: (x.bitPatterns &+ (dither & V.Bits(repeating: 0xffff))) & V.Bits(repeating: 0xffff_0000))
    }

    /// 32 well-mixed bits per lane from `seed` (MurmurHash3's 32-bit finaliser).
    @inlinable @inline(__always)
    public static func mixed<B: BitVector>(_ seed: B) -> B {
        var h = seed ^ (seed &>> 16)
        h = h &* B(repeating: 0x85eb_ca6b)
        h = h ^ (h &>> 13)
        h = h &* B(repeating: 0xc2b2_ae35)
        return h ^ (h &>> 16)
    }
}
