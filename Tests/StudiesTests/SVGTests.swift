import Foundation
import Optimizers
import Testing

@testable import Studies

@Suite("Studies: SVG")
struct SVGTests {
    /// Axis ticks fall on round values: the loss plots once labelled 2.17, 2.55, 3.52, 4.14 and,
    /// on a log axis over more than a decade, 0.0414, 0.177, 0.761.
    @Test func ticksAreRoundValues() {
        func values(_ low: Double, _ high: Double, log: Bool) -> [Double] {
            SVGPlot.roundTicks(log ? log10(low) : low, log ? log10(high) : high, logarithmic: log).map {
                log ? pow(10, $0) : $0
            }
        }
        func close(_ a: [Double], _ b: [Double]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 * max(1, abs($1)) }
        }
        #expect(close(values(2.17, 4.14, log: true), [2.5, 3, 3.5, 4]))
        #expect(close(values(0.0414, 0.761, log: true), [0.05, 0.1, 0.2, 0.5]))
        #expect(close(values(0, 299, log: false), [0, 50, 100, 150, 200, 250]))
        #expect(close(values(1e-4, 10, log: true), [1e-4, 1e-3, 1e-2, 0.1, 1, 10]))
    }

    @Test func plotHasOneLinePerSeriesAndEscapesText() {
        let plot = SVGPlot(
            title: "a < b & c", xLabel: "step", yLabel: "loss", logY: true,
            series: [
                .init(name: "S3", values: [1, 0.5, 0.25, .nan, 0.1], marks: [2]),
                .init(name: "AdamW", values: [1, 0.6, 0, 0.2, 0.15]),  // 0 cannot be drawn on a log axis
            ])
        let svg = plot.render()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("a &lt; b &amp; c") && !svg.contains("a < b"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 1)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }
}
