import Foundation
import Optimizers
import Testing

@testable import Studies

@Suite("Studies: end to end")
struct TrainingTests {
    /// A small MLP learns the digits with the real optimizers (S3 without clipping, AdamW with).
    @Test(arguments: ["S3", "AdamW"])
    func mlpLearnsTheDigits(_ name: String) throws {
        let digits = try Digits.load()
        let (training, validation) = digits.split(seed: 2)
        let model = MLP(inputs: 64, hidden: 24, classes: 10)
        var parameters = FlatTensor(model.initialParameters(seed: 1, as: Float.self))
        var optimizer: any Optimizer = name == "S3" ? try S3(learningRate: 1e-2) : try AdamW(learningRate: 1e-2)
        var generator = StudyRandom(seed: 4)
        for _ in 0..<250 {
            let batch = (0..<32).map { _ in training[Int.random(in: 0..<training.count, using: &generator)] }
            let (_, gradient, _) = model.lossAndGradient(
                Array(parameters), images: digits.images,
                labels: digits.labels, batch: batch)
            var gradients = FlatTensor(gradient)
            if name != "S3" { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1) }  // the paper's setting
            try optimizer.step(parameters: &parameters, gradients: gradients)
        }
        let (_, _, correct) = model.lossAndGradient(
            Array(parameters), images: digits.images,
            labels: digits.labels, batch: validation)
        let accuracy = Double(correct) / Double(validation.count)
        #expect(accuracy > 0.9, "\(name) validation accuracy \(accuracy)")
    }
}
