import Foundation
import Optimizers
import Testing

/// The README's usage example, verbatim between the markers (a test keeps the two in sync).
func readmeUsageExample() throws -> (weights: FlatTensor, target: FlatTensor) {
    // README begin
    // Fit w to minimise the squared distance to a target: the gradient is 2 (w - target).
    let target: FlatTensor = [1, -2, 3, 0.5]
    var weights = FlatTensor(zeros: target.count)
    var gradients = FlatTensor(zeros: target.count)
    var optimizer = try S3(learningRate: 0.05)  // beta 0.95, p 3, Nesterov: the paper's defaults

    for _ in 0..<300 {
        for i in weights.indices { gradients[i] = 2 * (weights[i] - target[i]) }
        try optimizer.step(parameters: &weights, gradients: gradients)
    }
    print(Array(weights))  // close to [1, -2, 3, 0.5]
    // README end
    return (weights, target)
}

@Suite("README")
struct ReadmeExampleTests {
    @Test func usageExampleRunsAndConverges() throws {
        let (weights, target) = try readmeUsageExample()
        for (w, t) in zip(weights, target) {
            #expect(abs(w - t) < 0.05, "\(Array(weights))")
        }
    }

    @Test func usageExampleIsTheOneInTheReadme() throws {
        let example = try ReadmeText.example(in: #filePath, between: "README begin", and: "README end")
        #expect(try ReadmeText.readme().contains("```swift\nimport Optimizers\n\n" + example + "```"))
    }
}
