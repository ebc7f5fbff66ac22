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
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func usageExampleRunsAndConverges() throws {
        let (weights, target) = try readmeUsageExample()
        for (w, t) in zip(weights, target) {
            #expect(abs(w - t) < 0.05, "\(Array(weights))")
        }
    }

    @Test func usageExampleIsTheOneInTheReadme() throws {
        let example = try Self.example(in: #filePath, between: "README begin", and: "README end")
        #expect(try Self.readme().contains("```swift\nimport Optimizers\n\n" + example + "```"))
    }

    static func readme() throws -> String {
        try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// The lines of the source file at `path` between the comments `// begin` and `// end`
    /// (indented by four spaces there), without that indentation.
    static func example(in path: String, between begin: String, and end: String) throws -> String {
        let source = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
        let example = try #require(
            source.components(separatedBy: "    // \(begin)\n").last?.components(separatedBy: "    // \(end)").first)
        return example.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0) }.joined(separator: "\n")
    }
}
