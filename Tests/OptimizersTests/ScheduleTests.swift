import Foundation
import Optimizers
import Testing

@Suite("Schedules")
struct ScheduleTests {
    @Test func valuesAtKnownSteps() throws {
        #expect(try LearningRateSchedule.constant(0.1)(12345) == 0.1)

        let warmup = try LearningRateSchedule.linearWarmup(to: 1, steps: 4)
        #expect([0, 1, 2, 3, 4, 100].map { warmup($0) } == [0.25, 0.5, 0.75, 1, 1, 1])

        let cosine = try LearningRateSchedule.cosineDecay(from: 1, to: 0.1, steps: 100)
        #expect(cosine(0) == 1 && cosine(100) == 0.1 && cosine(1000) == 0.1)
        #expect(abs(cosine(50) - 0.55) < 1e-6)
        #expect(abs(cosine(25) - Float(0.1 + 0.9 * (1 + cos(Double.pi / 4)) / 2)) < 1e-6)

        let paper = try LearningRateSchedule.warmupCosine(peak: 3e-3, warmupSteps: 10, totalSteps: 110)
        #expect(paper(0) == 3e-4 && paper(9) == 3e-3 && paper(10) == 3e-3)
        #expect(
            abs(paper(60) - 3e-3 * 0.55) < 1e-9 && abs(paper(110) - 3e-4) < 1e-10 && abs(paper(5000) - 3e-4) < 1e-10)

        let decay = try LearningRateSchedule.stepDecay(initial: 1, factor: 0.5, every: 10)
        #expect([0, 9, 10, 25, 30].map { decay($0) } == [1, 1, 0.5, 0.25, 0.125])

        let joined = try LearningRateSchedule.join(
            [.constant(1), .linearWarmup(to: 2, steps: 2), .constant(3)], boundaries: [5, 7])
        #expect((0...8).map { joined($0) } == [1, 1, 1, 1, 1, 1, 2, 3, 3])
        #expect(joined(-3) == 1, "negative steps are step 0")
    }

    @Test func invalidSchedulesAreNamed() {
        #expect(throws: OptimizerError.invalidHyperparameter(name: "peak", value: -1, allowed: "a finite value >= 0")) {
            try LearningRateSchedule.linearWarmup(to: -1, steps: 3)
        }
        #expect(throws: OptimizerError.invalidHyperparameter(name: "steps", value: 0, allowed: "an integer >= 1")) {
            try LearningRateSchedule.cosineDecay(from: 1, to: 0, steps: 0)
        }
        #expect(throws: OptimizerError.self) { try LearningRateSchedule.stepDecay(initial: 1, factor: 1.5, every: 3) }
        #expect(throws: OptimizerError.self) {
            try LearningRateSchedule.join([.constant(1), .constant(2)], boundaries: [])
        }
        #expect(throws: OptimizerError.self) {
            try LearningRateSchedule.join([.constant(1), .constant(2), .constant(3)], boundaries: [4, 4])
        }
    }

    /// Counts at the edge of `Int` throw or work; they never trap.
    @Test func extremeCountsThrowOrWork() throws {
        #expect(throws: OptimizerError.self) {
            try LearningRateSchedule.warmupCosine(peak: 1, warmupSteps: Int.max, totalSteps: Int.max)
        }
        #expect(throws: OptimizerError.self) {
            try LearningRateSchedule.warmupCosine(peak: 1, warmupSteps: -1, totalSteps: 10)
        }
        let long = try LearningRateSchedule.warmupCosine(peak: 1, warmupSteps: Int.max - 1, totalSteps: Int.max)
        #expect(long(Int.max) == 0.1 && long(Int.max - 2) == 1)
        let warmup = try LearningRateSchedule.linearWarmup(to: 2, steps: Int.max)
        #expect(warmup(Int.max) == 2 && warmup(Int.max - 1) == 2)
        #expect(try LearningRateSchedule.stepDecay(initial: 1, factor: 0.5, every: 1)(Int.max) == 0)
    }
}
