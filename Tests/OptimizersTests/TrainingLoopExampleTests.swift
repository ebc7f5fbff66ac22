import Foundation
import Optimizers
import Testing

/// The README's "Training loop" example, verbatim between the markers.
func readmeTrainingLoopExample() throws -> (loss: Float, resumedEqual: Bool) {
    // Training loop begin
    // A linear model y = w . x + b on synthetic data, its parameters in one flat buffer:
    // 8 weights, then the bias.
    let inputs: [[Float]] = (0..<64).map { i in (0..<8).map { j in Float((i * 7 + j * 3) % 11) / 10 - 0.5 } }
    let targets: [Float] = inputs.map { x in zip(x, [1, -2, 0.5, 3, -1, 0, 2, -0.5]).map(*).reduce(0, +) + 0.25 }
    var parameters = FlatTensor(zeros: 9)

    // No weight decay on the bias, as usual for biases and norms.
    let groups = try ParameterGroups(parameterCount: 9, [
        ParameterGroup("weights", 0..<8, weightDecay: 1e-4),
        ParameterGroup("bias", 8..<9, weightDecay: 0),
    ])
    let steps = 400
    let schedule = try LearningRateSchedule.warmupCosine(peak: 0.05, warmupSteps: 20, totalSteps: steps)
    var optimizer = try AdamW(learningRate: schedule(0))
    optimizer.recordsTelemetry = true  // largest |update| / lr per step: the spike early warning

    func lossAndGradients(_ w: FlatTensor) -> (Float, FlatTensor) {
        var gradients = FlatTensor(zeros: 9)
        var loss: Float = 0
        for (x, y) in zip(inputs, targets) {
            let error = zip(w, x).map(*).reduce(0, +) + w[8] - y
            loss += error * error / Float(inputs.count)
            for j in 0..<8 { gradients[j] += 2 * error * x[j] / Float(inputs.count) }
            gradients[8] += 2 * error / Float(inputs.count)
        }
        return (loss, gradients)
    }

    let checkpointURL = FileManager.default.temporaryDirectory.appendingPathComponent("adamw-\(UUID().uuidString).ckpt")
    defer { try? FileManager.default.removeItem(at: checkpointURL) }
    var loss: Float = 0
    for step in 0..<steps {
        var gradients: FlatTensor
        (loss, gradients) = lossAndGradients(parameters)
        try GradientClipping.clipGlobalNorm(&gradients, maxNorm: 1)     // the paper clips all but S3
        optimizer.learningRate = schedule(step)
        try optimizer.step(parameters: &parameters, gradients: gradients, groups: groups)
        if step == steps / 2 { try optimizer.checkpoint.write(to: checkpointURL) }  // atomic
        if step % 100 == 0, let telemetry = optimizer.telemetry {
            print("step", step, "loss", loss, "largest update / lr", telemetry.overall.largest)
        }
    }
    print("final loss", loss)

    // Resuming from the checkpoint reproduces the same optimizer state.
    let resumed = try AdamW(restoring: Checkpoint(contentsOf: checkpointURL))
    print("resumed at step", resumed.state.step)
    // Training loop end
    return (loss, resumed.state.step == steps / 2 + 1)
}

@Suite("README training loop")
struct TrainingLoopExampleTests {
    @Test func trainingLoopExampleRunsAndLearns() throws {
        let (loss, resumed) = try readmeTrainingLoopExample()
        #expect(loss < 1e-3, "final loss \(loss)")
        #expect(resumed)
    }

    @Test func trainingLoopExampleIsTheOneInTheReadme() throws {
        let example = try ReadmeExampleTests.example(in: #filePath, between: "Training loop begin", and: "Training loop end")
        #expect(try ReadmeExampleTests.readme().contains("```swift\nimport Foundation\nimport Optimizers\n\n" + example + "```"))
    }
}
