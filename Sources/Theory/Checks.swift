#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Numerical checks of the update bounds on the real optimizers. Each returns what it found
/// (bound, observed maximum, the sequence that attained it), not a verdict.
public enum Checks {
    /// The sequence that attains `bound` (Hölder's equality case), fed to the real optimizer;
    /// `observed` is the update at its last step. Elements beyond float32's range (below 1e-30
    /// of the largest) become 0, a quiet prefix.
    public static func constructedWorstCase(_ name: String, probe: UpdateProbe, bound: HolderBound) throws -> BoundCheck
    {
        let doubles = bound.worstCaseGradients()
        let largest = doubles.max() ?? 1
        let sequence = doubles.map { Float($0 / largest) }
        let result = try probe.largestUpdates([sequence], lastStepOnly: true)[0]
        return BoundCheck(name: name, bound: bound.value, observed: result.value, sequence: sequence, step: result.step)
    }

    /// The largest bound over the first `steps` steps (Adam's bias correction makes the bound
    /// non-monotone in t, so a check over all steps must use this).
    public static func largestBound(steps: Int, _ bound: (Int) -> HolderBound) -> Double {
        (1...max(1, steps)).reduce(0) { max($0, bound($1).value) }
    }

    /// Random restarts plus hill climbing on the largest update over `length` steps.
    ///
    /// A population of sequences is evaluated in one pass of the real optimizer; each
    /// generation keeps the best quarter and mutates it (one element's magnitude moved by up to
    /// 2^8, a sign flipped, a suffix scaled by a compounding factor, a suffix replaced by a
    /// geometric run continuing the element before it, or an element copied from its
    /// neighbour), and every fifth generation brings a quarter of fresh random restarts.
    public static func adversarialSearch(
        _ name: String, probe: UpdateProbe, bound: Double, length: Int = 40,
        population: Int = 512, generations: Int = 150, seed: UInt64 = 1
    ) throws -> BoundCheck {
        var rng = SplitMix64(seed: seed)
        func randomSequence() -> [Float] {
            (0..<length).map { _ in rng.float(exponents: -10...10) }
        }
        var candidates = (0..<population).map { _ in randomSequence() }
        var best = (value: -1.0, step: 0, sequence: [Float]())
        for generation in 0..<generations {
            let scores = try probe.largestUpdates(candidates)
            let ranked = scores.indices.sorted { scores[$0].value > scores[$1].value }
            if scores[ranked[0]].value > best.value {
                best = (scores[ranked[0]].value, scores[ranked[0]].step, candidates[ranked[0]])
            }
            let parents = ranked.prefix(population / 4).map { candidates[$0] }
            // Every fifth generation, a quarter of fresh random restarts.
            let fresh = generation % 5 == 4 ? population / 4 : 0
            candidates =
                parents
                + (0..<(population - parents.count - fresh)).map { index in
                    mutate(parents[index % parents.count], &rng)
                } + (0..<fresh).map { _ in randomSequence() }
        }
        return BoundCheck(name: name, bound: bound, observed: best.value, sequence: best.sequence, step: best.step)
    }

    static func mutate(_ sequence: [Float], _ rng: inout SplitMix64) -> [Float] {
        var result = sequence
        let index = Int(rng.next() % UInt64(sequence.count))
        switch rng.next() % 5 {
        case 0:
            result[index] *= Float(pow(2, rng.uniform() * 16 - 8))
        case 1:
            result[index] = -result[index]
        case 2:
            let growth = Float(pow(2, rng.uniform() - 0.5))
            var factor: Float = 1
            for k in index..<sequence.count {
                factor *= growth
                result[k] *= factor
            }
        case 3:
            let growth = Float(pow(2, rng.uniform() * 0.5 - 0.25))
            for k in max(1, index)..<sequence.count { result[k] = result[k - 1] * growth }
        default:
            result[index] = result[index == 0 ? 1 : index - 1]
        }
        return result.map { $0.isFinite && abs($0) < 1e30 && abs($0) > 1e-30 ? $0 : sequence[index] }
    }

    /// Random gradient families, `count` sequences each: heavy-tailed magnitudes (1e-6 to
    /// 1e3), sparse (three quarters exact zeros), sign-flipping (alternating signs of similar
    /// size), and bursting (quiet, then a jump by 2^10 to 2^20 that keeps its sign).
    public static func randomFamilies(
        _ name: String, probe: UpdateProbe, bound: Double, length: Int = 60, count: Int = 512, seed: UInt64 = 2
    ) throws -> [BoundCheck] {
        var rng = SplitMix64(seed: seed)
        let families: [(String, () -> [Float])] = [
            ("heavy-tailed", { (0..<length).map { _ in rng.float(exponents: -20...10) } }),
            ("sparse", { (0..<length).map { _ in rng.next() % 4 == 0 ? rng.float(exponents: -10...10) : 0 } }),
            (
                "sign-flipping",
                {
                    (0..<length).map { k in Float(k % 2 == 0 ? 1 : -1) * abs(rng.float(exponents: -1...1)) }
                }
            ),
            (
                "bursting",
                {
                    let start = Int(rng.next() % UInt64(length))
                    let jump = Float(pow(2, 10 + rng.uniform() * 10))
                    return (0..<length).map { k in abs(rng.float(exponents: -2...0)) * (k >= start ? jump : 1) }
                }
            ),
        ]
        return try families.map { family, generate in
            let sequences = (0..<count).map { _ in generate() }
            let scores = try probe.largestUpdates(sequences)
            let best = scores.indices.max { scores[$0].value < scores[$1].value }!
            return BoundCheck(
                name: "\(name): \(family)", bound: bound, observed: scores[best].value,
                sequence: sequences[best], step: scores[best].step)
        }
    }

    /// S3 with increasing `p` on the same histories: the last step's |update| must not grow with
    /// p (the power-mean inequality makes the denominator non-decreasing in p). Returns the
    /// largest ratio |u(p_next)| / |u(p)| seen (at most 1 up to rounding) and the pairs checked.
    public static func s3UpdateIsMonotoneInP(
        ps: [Float], beta: Float = 0.95, length: Int = 50, count: Int = 512, seed: UInt64 = 3
    ) throws -> (largestRatio: Double, pairs: Int) {
        var rng = SplitMix64(seed: seed)
        let sequences = (0..<count).map { _ in (0..<length).map { _ in rng.float(exponents: -20...10) } }
        let updates = try ps.map { p in
            try UpdateProbe.s3(beta1: beta, beta2: beta, p: p).largestUpdates(sequences, lastStepOnly: true).map(
                \.value)
        }
        var largest = 0.0, pairs = 0
        for (lower, higher) in zip(updates, updates.dropFirst()) {
            for (a, b) in zip(lower, higher) where a > 0 {
                largest = max(largest, b / a)
                pairs += 1
            }
        }
        return (largest, pairs)
    }
}

/// SplitMix64: a small, fast, reproducible generator for the searches.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / 9_007_199_254_740_992 }

    /// A random sign times 2^e, e uniform in `exponents`, times a mantissa in [1, 2).
    mutating func float(exponents: ClosedRange<Int>) -> Float {
        let w = next()
        let exponent = Int((w >> 32) % UInt64(exponents.count)) + exponents.lowerBound
        let bits = UInt32(truncatingIfNeeded: (w >> 63) << 31) | UInt32(exponent + 127) << 23 | UInt32(w & 0x7F_FFFF)
        return Float(bitPattern: bits)
    }
}
