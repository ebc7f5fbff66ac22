import Foundation
import Testing

/// The README and the pages under docs/ point only at files that exist.
@Suite("Documentation")
struct DocumentationTests {
    static let pages =
        ["README.md", "CONTRIBUTING.md"]
        + ((try? FileManager.default.contentsOfDirectory(
            atPath: ReadmeText.root.appendingPathComponent("docs").path))?.filter { $0.hasSuffix(".md") }.sorted()
            .map { "docs/" + $0 } ?? [])

    @Test func thereAreDocsPages() {
        #expect(Self.pages.count >= 7, "\(Self.pages)")
    }

    @Test(arguments: pages)
    func relativeLinksResolve(_ page: String) throws {
        let url = ReadmeText.root.appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        // Markdown links and images: ](target) with a target that is not a URL or an anchor.
        let targets = text.components(separatedBy: "](").dropFirst().compactMap { $0.split(separator: ")").first }
            .map(String.init).filter { !$0.contains("://") && !$0.hasPrefix("#") }
        for target in targets {
            let path = url.deletingLastPathComponent().appendingPathComponent(
                String(target.split(separator: "#").first ?? ""))
            #expect(
                FileManager.default.fileExists(atPath: path.path), "\(page) links to \(target), which does not exist")
        }
    }
}
