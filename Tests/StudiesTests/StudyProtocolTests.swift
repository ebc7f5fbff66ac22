import Foundation
import Optimizers
import Testing

@testable import Studies

@Suite("Studies: text and protocol")
struct StudyProtocolTests {
    @Test func theTextLoadsAsCharacterTokens() throws {
        let corpus = try TextCorpus.load()
        #expect(corpus.tokens.count == 366_194 && corpus.vocabulary.count == 62)
        #expect(corpus.decode(Array(corpus.tokens.prefix(16))) == "In the beginning")
        #expect(corpus.encode("In the beginning") == Array(corpus.tokens.prefix(16)))
        #expect(corpus.validationStart == Int(0.9 * 366_194))
        var generator = StudyRandom(seed: 1)
        let windows = corpus.trainingWindows(100, length: 33, using: &generator)
        #expect(windows.allSatisfy { $0.count == 33 })
        let spread = corpus.evenlySpacedWindows(4, length: 10, in: corpus.validationStart..<corpus.tokens.count)
        #expect(spread.first == Array(corpus.tokens[corpus.validationStart..<(corpus.validationStart + 10)]))
        #expect(spread.count == 4 && spread.allSatisfy { $0.count == 10 })
    }

    /// The whole protocol on a tiny task: the shape of the result, the best rate is the search's
    /// lowest validation loss, 10x is ten times it, AdamW's long run has twice the steps, and
    /// the results do not depend on how the runs were spread over threads.
    @Test func theProtocolPicksTheBestRateAndIsDeterministic() throws {
        var study = Study(
            task: try DigitsTask(hidden: 4, batchSize: 8), steps: 6, seeds: [1, 2], learningRates: [1e-3, 1e-1])
        (study.betas, study.ps) = ([0.9], [1, 3])
        let result = try study.run(), again = try study.run()
        #expect(result.search.count == 12 && result.best.count == 6 && result.tenTimes.count == 6)
        #expect(
            result.ablation.count == 2 * Study<DigitsTask>.ablationVariants.count && result.grid.count == 1
                && result.grid[0].count == 2)
        for (best, tenTimes) in zip(result.best, result.tenTimes) {
            let candidates = result.search.filter { $0.optimizer == best.optimizer }
            #expect(best.learningRate == candidates.min { $0.meanValidationLoss < $1.meanValidationLoss }!.learningRate)
            #expect(tenTimes.learningRate == 10 * best.learningRate && best.runs.map(\.seed) == [1, 2])
        }
        #expect(result.adamWAt2N.steps == 12 && result.adamWAt2N.runs[0].losses.count == 12)
        #expect(result.bfloat16.map(\.optimizer) == ["AdamW bfloat16 moments", "S3 bfloat16 moments"])
        #expect(result.bfloat16.map(\.learningRate) == [result.best[1].learningRate, result.best[5].learningRate])
        #expect(result.all.map { $0.runs.map(\.validationLoss) } == again.all.map { $0.runs.map(\.validationLoss) })
    }
}
