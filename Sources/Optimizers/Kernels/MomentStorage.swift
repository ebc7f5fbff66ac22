/// How a kernel's two moment buffers are held between steps (``MomentPrecision``): loads give
/// float32 lanes, stores take them. `seed` is per-element bits a rounding may draw on.
protocol MomentStorage {
    static func load(_ m: UnsafeMutablePointer<Float>, _ r: UnsafeMutablePointer<Float>, _ i: Int, lanes: Int)
        -> (m: Lanes, r: Lanes)
    static func store(m: Lanes, r: Lanes, to mBuffer: UnsafeMutablePointer<Float>, _ rBuffer: UnsafeMutablePointer<Float>,
                      _ i: Int, lanes: Int, seed: LaneBits)
}

/// Two float32 buffers.
enum Float32Moments: MomentStorage {
    @inline(__always)
    static func load(_ m: UnsafeMutablePointer<Float>, _ r: UnsafeMutablePointer<Float>, _ i: Int, lanes: Int)
        -> (m: Lanes, r: Lanes) {
        (Lanes(loading: m + i, lanes: lanes), Lanes(loading: r + i, lanes: lanes))
    }

    @inline(__always)
    static func store(m: Lanes, r: Lanes, to mBuffer: UnsafeMutablePointer<Float>, _ rBuffer: UnsafeMutablePointer<Float>,
                      _ i: Int, lanes: Int, seed: LaneBits) {
        m.store(to: mBuffer + i, lanes: lanes)
        r.store(to: rBuffer + i, lanes: lanes)
    }
}

/// Both moments as a ``BFloat16Pair`` per element in the first buffer (the second is unused);
/// each conforming type chooses how to round when storing.
protocol BFloat16PairStorage: MomentStorage {}

extension BFloat16PairStorage {
    @inline(__always)
    static func load(_ m: UnsafeMutablePointer<Float>, _ r: UnsafeMutablePointer<Float>, _ i: Int, lanes: Int)
        -> (m: Lanes, r: Lanes) {
        let (high, low) = BFloat16Pair.load(m + i, lanes: lanes)
        return (high, low)
    }
}

/// Two bfloat16 values per 32-bit slot: the first in the high half (so the slot, read as a
/// float, is the first value to within 2^-8), the second in the low half. Rounding happens on
/// float32 lanes whose low 16 bits are then dropped; all of it is integer lane arithmetic.
enum BFloat16Pair {
    /// The largest finite bfloat16, 3.39e38: values are capped here before rounding up.
    static let largestFinite = Lanes(repeating: Float(bitPattern: 0x7f7f_0000))

    @inline(__always)
    static func load(_ slots: UnsafeMutablePointer<Float>, lanes: Int) -> (high: Lanes, low: Lanes) {
        let bits = Lanes(loading: slots, lanes: lanes).bitPatterns
        return (Lanes(bitPatterns: bits & 0xffff_0000), Lanes(bitPatterns: bits &<< 16))
    }

    /// Stores two lanes of bfloat16 values (floats whose low 16 bits are zero).
    @inline(__always)
    static func store(high: Lanes, low: Lanes, to slots: UnsafeMutablePointer<Float>, lanes: Int) {
        Lanes(bitPatterns: high.bitPatterns | (low.bitPatterns &>> 16)).store(to: slots, lanes: lanes)
    }

    /// Each finite lane rounded to the nearest bfloat16, ties to even.
    @inline(__always)
    static func nearest(_ x: Lanes) -> Lanes {
        let bits = x.bitPatterns
        return Lanes(bitPatterns: (bits &+ 0x7fff &+ ((bits &>> 16) & 1)) & 0xffff_0000)
    }

    /// Each finite lane rounded to one of its two neighbouring bfloat16 values, up in magnitude
    /// with probability equal to the distance from the lower one (in units of the gap), when
    /// `dither` is uniform in 0..<2^16: unbiased, so averages that move by less than a
    /// bfloat16 step per update still move on average.
    @inline(__always)
    static func dithered(_ x: Lanes, _ dither: LaneBits) -> Lanes {
        Lanes(bitPatterns: (x.bitPatterns &+ (dither & 0xffff)) & 0xffff_0000)
    }

    /// 32 well-mixed bits per lane from `seed` (MurmurHash3's 32-bit finaliser).
    @inline(__always)
    static func mixed(_ seed: LaneBits) -> LaneBits {
        var h = seed ^ (seed &>> 16)
        h = h &* 0x85eb_ca6b
        h ^= h &>> 13
        h = h &* 0xc2b2_ae35
        return h ^ (h &>> 16)
    }
}
