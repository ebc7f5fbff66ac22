/// The gradient check that runs before every step (unless the caller opts out).
enum NonFiniteScan {
    /// Elements per block: a block is summed without a branch, and only a block that contains
    /// a non-finite value is searched element by element.
    static let blockSize = 4096

    /// The index of the first NaN or infinite value in `values[0..<count]`, or nil; large
    /// buffers are scanned in parallel chunks (the first bad index of the first bad chunk wins).
    static func firstNonFinite(_ values: UnsafePointer<Float>, count: Int) -> Int? {
        let threads = Parallelism.threadCount(for: count)
        if threads == 1 { return firstNonFinite(values, in: 0..<count) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: threads) { found in
            WorkerPool.shared.run(.scan(values, results: found.baseAddress!), over: 0..<count, chunks: threads)
            let first = found.min()!
            return first == Int.max ? nil : first
        }
    }

    /// The index of the first NaN or infinite value in `values[range]`, or nil.
    ///
    /// `x * 0` is 0 for every finite `x` and NaN for NaN and infinities, so a block is clean
    /// exactly when the sum of its `x * 0` is 0. Two accumulators keep two add chains in flight.
    static func firstNonFinite(_ values: UnsafePointer<Float>, in range: Range<Int>) -> Int? {
        var start = range.lowerBound
        while start < range.upperBound {
            let length = min(blockSize, range.upperBound - start)
            let block = values + start
            var even = Lanes.zero, odd = Lanes.zero
            var offset = 0
            let width = Lanes.scalarCount
            while offset + 2 * width <= length {
                even += Lanes(loading: block + offset, lanes: width) * 0
                odd += Lanes(loading: block + offset + width, lanes: width) * 0
                offset += 2 * width
            }
            while offset < length {
                let lanes = min(width, length - offset)
                even += Lanes(loading: block + offset, lanes: lanes) * 0
                offset += lanes
            }
            if (even + odd).sum() != 0 {
                for index in 0..<length where !block[index].isFinite {
                    return start + index
                }
            }
            start += length
        }
        return nil
    }
}
