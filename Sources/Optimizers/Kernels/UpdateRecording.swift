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

/// Runs `kernel` over `range` on this thread; with `inverseLearningRate`, measures the updates.
@inline(__always)
func runSerially<K: VectorKernel>(_ kernel: K, in range: Range<Int>,
                                  recordingWith inverseLearningRate: Float?) -> PartialUpdateStatistics? {
    guard let inverseLearningRate else {
        forEachVector(in: range, kernel)
        return nil
    }
    return forEachVectorRecording(in: range, kernel, inverseLearningRate: inverseLearningRate)
}

/// `forEachVector` that also measures each element's update: the parameter is read before the
/// kernel and again after it (from L1, where the kernel has just written it), so the cost is
/// a few vector operations per vector and no extra memory traffic. Squares are summed in
/// float lanes over at most 512 vectors, then in double precision.
@inline(__always)
func forEachVectorRecording<K: VectorKernel>(in range: Range<Int>, _ kernel: K, inverseLearningRate: Float)
    -> PartialUpdateStatistics {
    var accumulator = UpdateAccumulator(scale: Lanes(repeating: inverseLearningRate))
    let width = Lanes.scalarCount
    var offset = range.lowerBound
    while offset + width <= range.upperBound {
        accumulator.apply(kernel, offset, lanes: width)
        offset += width
    }
    if offset < range.upperBound {
        accumulator.apply(kernel, offset, lanes: range.upperBound - offset)
    }
    return accumulator.finish(count: range.count)
}

/// The running maximum and sum of squares, in vector lanes.
struct UpdateAccumulator {
    let scale: Lanes
    var largest = Lanes.zero, squares = Lanes.zero
    var vectors = 0
    var sumOfSquares = 0.0

    @inline(__always)
    mutating func apply<K: VectorKernel>(_ kernel: K, _ offset: Int, lanes: Int) {
        let before = Lanes(loading: kernel.x + offset, lanes: lanes)
        kernel.apply(offset, lanes: lanes)
        let change = ((Lanes(loading: kernel.x + offset, lanes: lanes) - before) * scale).magnitudes
        largest = largest.lanesMax(change)
        squares += change * change
        vectors += 1
        if vectors == 512 {
            sumOfSquares += Double(squares.sum())
            squares = .zero
            vectors = 0
        }
    }

    func finish(count: Int) -> PartialUpdateStatistics {
        PartialUpdateStatistics(largest: largest.max(), sumOfSquares: sumOfSquares + Double(squares.sum()), count: count)
    }
}
