import Foundation
import Optimizers
import Testing

/// The README's "Training loop" example, verbatim between the markers.
func readmeTrainingLoopExample() throws -> (first: Float, last: Float, resumed: any StatefulOptimizer) {
    // Training loop begin
    /// A two-layer perceptron, 4 -> 16 (tanh) -> 1, whose weights live in its own array:
    /// W1 (16 x 4), b1, W2 (16), b2. The optimizer updates that array in place.
    struct Perceptron {
        let inputs = 4, hidden = 16
        var parameters: [Float]
        var gradients: [Float]
        var b1: Range<Int> { (inputs * hidden)..<((inputs + 1) * hidden) }
        var w2: Range<Int> { b1.upperBound..<(b1.upperBound + hidden) }
        var b2: Range<Int> { w2.upperBound..<(w2.upperBound + 1) }

        init() {
            parameters = (0..<((inputs + 2) * hidden + 1)).map { Float(sin(Double($0) * 12.9898)) * 0.5 }
            gradients = Array(repeating: 0, count: parameters.count)
        }

        /// The mean squared error on `batch`, with its gradient written into `gradients`.
        mutating func loss(_ batch: ArraySlice<(x: [Float], y: Float)>) -> Float {
            for i in gradients.indices { gradients[i] = 0 }
            var loss: Float = 0
            let scale = 2 / Float(batch.count)
            for (x, y) in batch {
                let h = (0..<hidden).map { j in
                    tanh(
                        (0..<inputs).reduce(parameters[b1.lowerBound + j]) { $0 + parameters[j * inputs + $1] * x[$1] })
                }
                let error =
                    (0..<hidden).reduce(parameters[b2.lowerBound]) { $0 + parameters[w2.lowerBound + $1] * h[$1] } - y
                loss += error * error / Float(batch.count)
                gradients[b2.lowerBound] += scale * error
                for j in 0..<hidden {
                    gradients[w2.lowerBound + j] += scale * error * h[j]
                    let dz = scale * error * parameters[w2.lowerBound + j] * (1 - h[j] * h[j])
                    gradients[b1.lowerBound + j] += dz
                    for k in 0..<inputs { gradients[j * inputs + k] += dz * x[k] }
                }
            }
            return loss
        }
    }

    /// The optimizer is chosen at run time (a flag, a configuration file) and held as
    /// `any StatefulOptimizer`: groups, schedules, telemetry and checkpoints all work through it.
    func makeOptimizer(_ name: String) throws -> any StatefulOptimizer {
        switch name {
        case "AdamW": try AdamW(learningRate: 0, weightDecay: 1e-4)
        case "Lion": try Lion(learningRate: 0, weightDecay: 1e-4)
        default: try S3(learningRate: 0, weightDecay: 1e-4)
        }
    }

    let samples: [(x: [Float], y: Float)] = (0..<1024).map { i in
        let x = (0..<4).map { Float(sin(Double(i * 4 + $0) * 78.233)) }
        return (x, sin(x[0]) + x[1] * x[2] - 0.5 * x[3])
    }
    var model = Perceptron()
    var losses: [Float] = []
    var optimizer = try makeOptimizer("S3")
    optimizer.recordsTelemetry = true  // the largest |update| / lr of each step: the spike early warning
    // One group for the biases of both layers: no weight decay there.
    let groups = try ParameterGroups(
        parameterCount: model.parameters.count,
        [
            ParameterGroup("biases", ranges: [model.b1, model.b2], weightDecay: 0)
        ])
    let schedule = try LearningRateSchedule.warmupCosine(
        peak: optimizer is S3 ? 0.03 : 0.003, warmupSteps: 25, totalSteps: 250)
    var accumulator = try GradientAccumulator(parameterCount: model.parameters.count, microBatches: 4)

    for microBatch in 0..<1000 {
        let start = (microBatch * 16) % samples.count
        let loss = model.loss(samples[start..<(start + 16)])
        losses.append(loss)
        // Average four micro-batches, then step the model's own array in place (no copies).
        guard try model.gradients.withUnsafeBufferPointer({ try accumulator.add($0) }) else { continue }
        if !(optimizer is S3) { try accumulator.clipAverage(toGlobalNorm: 1) }  // the paper clips all but S3
        optimizer.learningRate = schedule(optimizer.stepCount)
        try model.parameters.withUnsafeMutableBufferPointer { parameters in
            try accumulator.average.withUnsafeBufferPointer {
                try optimizer.step(parameters: parameters, gradients: $0, groups: groups)
            }
        }
        if optimizer.stepCount % 50 == 0, let telemetry = optimizer.telemetry {
            print("step", optimizer.stepCount, "loss", loss, "largest update / lr", telemetry.overall.largest)
        }
    }

    // Checkpoint and resume without knowing the optimizer's type.
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("perceptron-\(UUID().uuidString).ckpt")
    defer { try? FileManager.default.removeItem(at: url) }
    try optimizer.writeCheckpoint(to: url)
    let resumed = try restoreOptimizer(from: url)
    print("resumed \(type(of: resumed)) at step \(resumed.stepCount)")
    // Training loop end
    let mean = { (values: ArraySlice<Float>) in values.reduce(0, +) / Float(values.count) }
    return (mean(losses.prefix(40)), mean(losses.suffix(40)), resumed)
}

@Suite("README training loop")
struct TrainingLoopExampleTests {
    @Test func trainingLoopExampleRunsAndLearns() throws {
        let (first, last, resumed) = try readmeTrainingLoopExample()
        #expect(last < first / 10, "loss \(first) -> \(last)")
        #expect(resumed is S3 && resumed.stepCount == 250)
    }

    @Test func trainingLoopExampleIsTheOneInTheReadme() throws {
        let example = try ReadmeText.example(
            in: #filePath, between: "Training loop begin", and: "Training loop end")
        #expect(
            try ReadmeText.readme().contains(
                "```swift\nimport Foundation\nimport Optimizers\n\n" + example + "```"))
    }
}
