import Foundation
import Optimizers
import Testing

/// The README's usage example, verbatim between the markers (a test keeps the two in sync).
func readmeUsageExample() throws -> (weights: FlatTensor, target: FlatTensor) {
    // README begin
    // Fit w to minimise the squared distance to a target: the gradient is 2 (w - target).
    let target: FlatTensor = [1, -2, 3, 0.5]
    var weights = FlatTensor(zeros: target.count)
    var optimizer = try S3(learningRate: 0.05)  // beta 0.95, p 3, Nesterov: the paper's defaults

    for _ in 0..<300 {
        let gradients = FlatTensor(zip(weights, target).map { 2 * ($0 - $1) })
        try optimizer.step(parameters: &weights, gradients: gradients)
    }
    print(Array(weights))  // close to [1, -2, 3, 0.5]
    // README end
    return (weights, target)
}

@Suite("README")
struct ReadmeExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func usageExampleRunsAndConverges() throws {
        let (weights, target) = try readmeUsageExample()
        for (w, t) in zip(weights, target) {
            #expect(abs(w - t) < 0.05, "\(Array(weights))")
        }
    }

    @Test func usageExampleIsTheOneInTheReadme() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let example = try #require(source.components(separatedBy: "    // README begin\n").last?
            .components(separatedBy: "    // README end").first)
        let dedented = example.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0) }.joined(separator: "\n")
        #expect(readme.contains("```swift\nimport Optimizers\n\n" + dedented + "```"))
    }
}
