/// Running statistics of `|x_after - x_before| / lr` over some elements.
struct PartialUpdateStatistics {
    var largest: Float = 0
    var sumOfSquares: Double = 0
    var count = 0

    mutating func merge(_ other: PartialUpdateStatistics) {
        largest = max(largest, other.largest)
        sumOfSquares += other.sumOfSquares
        count += other.count
    }
}

/// `forEachVector` that also measures each element's update: the parameter is read before the
/// kernel and again after it (from L1, where the kernel has just written it), so the cost is
/// a few vector operations per vector and no extra memory traffic. Squares are summed in
/// float lanes over at most 512 vectors, then in double precision.
@inline(__always)
func forEachVectorRecording<K: VectorKernel>(in range: Range<Int>, _ kernel: K, inverseLearningRate: Float)
    -> PartialUpdateStatistics {
    let width = Lanes.scalarCount
    let scale = Lanes(repeating: inverseLearningRate)
    var largest = Lanes.zero, squares = Lanes.zero
    var result = PartialUpdateStatistics(count: range.count)
    var offset = range.lowerBound, vectors = 0
    while offset < range.upperBound {
        let lanes = min(width, range.upperBound - offset)
        let before = Lanes(loading: kernel.x + offset, lanes: lanes)
        kernel.apply(offset, lanes: lanes)
        let change = ((Lanes(loading: kernel.x + offset, lanes: lanes) - before) * scale).magnitudes
        largest = largest.lanesMax(change)
        squares += change * change
        offset += lanes
        vectors += 1
        if vectors == 512 {
            result.sumOfSquares += Double(squares.sum())
            squares = .zero
            vectors = 0
        }
    }
    result.sumOfSquares += Double(squares.sum())
    result.largest = largest.max()
    return result
}
