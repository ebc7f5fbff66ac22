import Foundation
import Optimizers
import Testing

@testable import Studies

@Suite("Studies: spike definition")
struct SpikeTests {
    @Test func aSpikeExceedsOneAndAHalfTimesTheRecentMedian() {
        var losses = [Float](repeating: 1, count: 60)
        losses[55] = 1.6  // 1.6 > 1.5 * median(1) -> spike
        losses[57] = 1.4  // not a spike
        losses[20] = 1.6  // with only 20 steps before it: the median of those
        losses[1] = 1.5  // not more than 1.5 * median(1)
        losses[3] = 100  // 100 > 1.5 * median(1, 1.5, 1)
        losses.append(.nan)  // a non-finite loss is a spike
        #expect(TrainingRun.spikes(in: losses) == [3, 20, 55, 60])
        // The window slides: 50 high losses long ago do not hide a spike now.
        let shifted = [Float](repeating: 10, count: 50) + [Float](repeating: 1, count: 50) + [1.6]
        #expect(TrainingRun.spikes(in: shifted) == [100])
    }
}
