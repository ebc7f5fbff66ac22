// Vector functions the kernels need beyond arithmetic: maximum, absolute value, sign, exact
// power-of-two scaling, cube root, log2 and exp2. All are branch-free, written over
// `FloatVector` requirements only, and compile to packed instructions at every level; they
// use no fused multiply-add and no approximate instruction (`rcpps`, `rsqrtps`, whose bits
// differ between vendors and levels), so every level computes the same bits.

extension FloatVector {
    /// The larger of `self` and `other` in each lane (for non-NaN lanes).
    @inlinable @inline(__always)
    public func lanesMax(_ other: Self) -> Self { replacing(with: other, where: self .< other) }

    /// The smaller of `self` and `other` in each lane (for non-NaN lanes).
    @inlinable @inline(__always)
    public func lanesMin(_ other: Self) -> Self { replacing(with: other, where: other .< self) }

    /// `|x|` lane by lane (clears the sign bit).
    @inlinable @inline(__always)
    public var magnitudes: Self { Self(bitPatterns: bitPatterns & Bits(repeating: 0x7fff_ffff)) }

    /// `-x` lane by lane (flips the sign bit, so `-0` and `+0` swap as IEEE negation does).
    @inlinable @inline(__always)
    public var negated: Self { Self(bitPatterns: bitPatterns ^ Bits(repeating: 0x8000_0000)) }

    /// `sign(x)` lane by lane: +1 for x > 0, -1 for x < 0, and 0 for +0, -0 and NaN.
    @inlinable @inline(__always)
    public var signs: Self {
        Self.zero.replacing(with: 1, where: .zero .< self).replacing(with: -1, where: self .< .zero)
    }

    /// Powers of two `(down, up)`, `up * down == 1`, such that `self * down` lies in [1, 2) for
    /// every normal lane below 2^127, in (0, 1) for subnormal lanes, and is 0 for zeros.
    ///
    /// Multiplying by a power of two is exact, so scaling inputs by `down`, computing, and
    /// scaling the result by `up` gives the bits of the unscaled computation wherever that one
    /// neither overflows nor underflows. Lanes must be non-negative and finite.
    @inlinable @inline(__always)
    public var powerOfTwoScales: (down: Self, up: Self) {
        // Clamped to [2^-126, 2^126] first (packed `maxps`/`minps`), the biased exponent E lies in
        // [1, 253], so 2^(E - 127) (the exponent bits alone) and 2^(127 - E) are both normal.
        let clamped = lanesMax(Self(repeating: .leastNormalMagnitude)).lanesMin(Self(repeating: 0x1p126))
        let exponentBits = clamped.bitPatterns & Bits(repeating: 0x7f80_0000)
        return (Self(bitPatterns: Bits(repeating: 0x7f00_0000) &- exponentBits), Self(bitPatterns: exponentBits))
    }

    /// The cube root of each lane, within 0.96 ulp (0.958 at worst over every float in [1, 8),
    /// three octaves that repeat at every scale), for lanes that are 0 or normal and below
    /// 2^125 (subnormal lanes are treated as the smallest normal float). No division.
    ///
    /// A bit-level first guess of `y = x^(-1/3)` is refined by one Newton step with tuned
    /// coefficients (Moroz et al. 2021), `y <- y (k1 - k2 x y^3)`, to within 1.1e-3, and one
    /// plain Newton step, `y <- y (4/3 - x/3 y^3)`, to within 4e-6; then `c = x y^2` gets one
    /// Newton step whose derivative comes from `y` instead of a division,
    /// `c <- c - (c^3 - x) y^2 / 3`, to about 1e-10 before rounding. Twenty multiplications and
    /// additions per lane: the division of a Halley step has a throughput of 5 to 10 cycles per
    /// register and a latency of 11 to 18, and S3 with p = 3 takes two cube roots per element.
    @inlinable @inline(__always)
    public func cubeRoots() -> Self {
        let x = lanesMax(Self(repeating: .leastNormalMagnitude))
        // bits(x^(-1/3)) is about 0x549ffa8c - bits(x) / 3 (bits(x) < 2^31: exact as int32).
        let bitsOverThree = (Self(convertingInt32Bits: x.bitPatterns) * (1 / 3 as Float)).truncatedToInt32Bits()
        var y = Self(bitPatterns: Bits(repeating: 0x549f_fa8c) &- bitsOverThree)
        y = y * (1.348_963_86 - (x * 0.348_094_13) * (y * y * y))
        y = y * ((4 / 3 as Float) - (x * (1 / 3 as Float)) * (y * y * y))
        let y2 = y * y
        let c = x * y2
        let root = c - (c * c * c - x) * (y2 * (1 / 3 as Float))
        return root.replacing(with: 0, where: self .== .zero)
    }

    /// `log2(x)` lane by lane for non-negative finite lanes, with `log2(0) == -infinity`;
    /// within 1e-7 relative, and within 2.1 ulp on [1/2, 2) where the result is the polynomial
    /// alone (Cephes' single-precision logarithm polynomial).
    @inlinable @inline(__always)
    public func log2s() -> Self {
        // Subnormals are scaled by 2^23 first. Everything is kept in floating point, where the
        // lane selects are packed instructions.
        let subnormal = self .< Self(repeating: .leastNormalMagnitude)
        let x = replacing(with: self * 0x1p23, where: subnormal)
        var exponent = Self(convertingInt32Bits: x.bitPatterns &>> 23) - 127
        exponent.replace(with: exponent - 23, where: subnormal)
        // The mantissa in [1, 2), moved into [sqrt(1/2), sqrt(2)).
        var m = Self(bitPatterns: (x.bitPatterns & Bits(repeating: 0x007f_ffff)) | Bits(repeating: 0x3f80_0000))
        let high = Self(repeating: 1.414_213_56) .< m
        m.replace(with: m * 0.5, where: high)
        exponent.replace(with: exponent + 1, where: high)
        let f = m - 1
        let z = f * f
        var poly = Self(repeating: 7.037_683_629_2e-2)
        poly = poly * f - 1.151_461_031_0e-1
        poly = poly * f + 1.167_699_874_0e-1
        poly = poly * f - 1.242_014_084_6e-1
        poly = poly * f + 1.424_932_278_7e-1
        poly = poly * f - 1.666_805_766_5e-1
        poly = poly * f + 2.000_071_476_5e-1
        poly = poly * f - 2.499_999_399_3e-1
        poly = poly * f + 3.333_333_117_4e-1
        let lnTail = poly * z * f - z * 0.5  // ln(1 + f) - f
        let log2e: Float = 1.442_695_040_888_963_4
        let result = (lnTail * log2e + f * log2e) + exponent
        return result.replacing(with: -.infinity, where: self .== .zero)
    }

    /// `2^y` lane by lane, within 1 ulp (Cephes' single-precision exp2 polynomial; measured over
    /// every 97th float of the domain), for `y <= 127` (a larger `y` is computed as 127); results
    /// below the smallest normal float are flushed to zero, and `-infinity` gives 0.
    @inlinable @inline(__always)
    public func exp2s() -> Self {
        // Clamped to [-127, 127], the integer part n needs no further checks: n = -127 gives the
        // biased exponent 0, a scale of 0, which is the flush to zero.
        let y = lanesMax(Self(repeating: -127)).lanesMin(Self(repeating: 127))
        // Round to the nearest integer n with the 1.5 * 2^23 trick; f = y - n lies in [-0.5, 0.5].
        let shifted = y + 12_582_912
        let biased = shifted.bitPatterns &- Bits(repeating: 0x4B40_0000 - 127)
        let f = y - (shifted - 12_582_912)
        var poly = Self(repeating: 1.535_336_188_319_500e-4)
        poly = poly * f + 1.339_887_440_266_574e-3
        poly = poly * f + 9.618_437_357_674_640e-3
        poly = poly * f + 5.550_332_471_162_809e-2
        poly = poly * f + 2.402_264_791_363_012e-1
        poly = poly * f + 6.931_472_028_550_421e-1
        return (poly * f + 1) * Self(bitPatterns: biased &<< 23)
    }
}
