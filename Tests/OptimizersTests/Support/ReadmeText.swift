import Foundation
import Testing

/// The repository's README, and the examples the tests keep identical to it.
enum ReadmeText {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

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
