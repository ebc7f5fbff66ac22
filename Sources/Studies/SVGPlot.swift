import Foundation

/// A minimal, dependency-free SVG line plot: several named series over a shared x axis, an
/// optional log-scaled y axis, and markers for chosen points (loss spikes).
public struct SVGPlot: Sendable {
    public struct Series: Sendable {
        public let name: String
        public let values: [Float]
        /// Indices of `values` to mark with a red dot.
        public let marks: [Int]

        public init(name: String, values: [Float], marks: [Int] = []) {
            (self.name, self.values, self.marks) = (name, values, marks)
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logY: Bool
    public var series: [Series]
    public var width = 720.0, height = 420.0

    public init(title: String, xLabel: String, yLabel: String, logY: Bool = false, series: [Series]) {
        (self.title, self.xLabel, self.yLabel, self.logY, self.series) = (title, xLabel, yLabel, logY, series)
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The SVG document.
    public func render() -> String {
        let left = 70.0, right = 150.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let finite = series.flatMap(\.values).filter { $0.isFinite && (!logY || $0 > 0) }.map(Double.init)
        let transform: (Double) -> Double = { logY ? log10($0) : $0 }
        var low = transform(finite.min() ?? 0), high = transform(finite.max() ?? 1)
        if high - low < 1e-12 { (low, high) = (low - 0.5, high + 0.5) }
        let count = max(2, series.map(\.values.count).max() ?? 2)
        func x(_ index: Int) -> Double { left + plotWidth * Double(index) / Double(count - 1) }
        func y(_ value: Float) -> Double? {
            guard value.isFinite, !logY || value > 0 else { return nil }
            return top + plotHeight * (1 - (transform(Double(value)) - low) / (high - low))
        }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
            <rect x="\(left)" y="\(top)" width="\(plotWidth)" height="\(plotHeight)" fill="none" stroke="#888"/>
            <text x="\(left + plotWidth / 2)" y="\(height - 12)" text-anchor="middle">\(escape(xLabel))</text>
            <text x="16" y="\(top + plotHeight / 2)" text-anchor="middle" transform="rotate(-90 16 \(top + plotHeight / 2))">\(escape(yLabel))</text>

            """
        for value in Self.roundTicks(low, high, logarithmic: logY) {
            let ty = top + plotHeight * (1 - (value - low) / (high - low))
            let label = logY ? String(format: "%g", pow(10, value)) : String(format: "%g", value)
            svg += "<line x1=\"\(left - 4)\" y1=\"\(ty)\" x2=\"\(left)\" y2=\"\(ty)\" stroke=\"#888\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(ty + 4)\" text-anchor=\"end\">\(label)</text>\n"
        }
        for step in Self.roundTicks(0, Double(count - 1), logarithmic: false) {
            let tx = left + plotWidth * step / Double(count - 1)
            svg += "<text x=\"\(tx)\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(Int(step))</text>\n"
        }
        for (index, line) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let points = line.values.indices.compactMap { i in
                y(line.values[i]).map { String(format: "%.1f,%.1f", x(i), $0) }
            }
            svg +=
                "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.2\" points=\"\(points.joined(separator: " "))\"/>\n"
            for mark in line.marks where line.values.indices.contains(mark) {
                if let my = y(line.values[mark]) {
                    svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#d62728\"/>\n", x(mark), my)
                }
            }
            let ly = top + 14 + 18 * Double(index)
            svg +=
                "<line x1=\"\(width - right + 12)\" y1=\"\(ly - 4)\" x2=\"\(width - right + 32)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(width - right + 38)\" y=\"\(ly)\">\(escape(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Tick positions at round values inside `low...high`: multiples of 1, 2 or 5 times a power
    /// of ten, about five of them. On a logarithmic axis (`low` and `high` are log10 of the
    /// values) the ticks are round values too: 1, 2 and 5 times powers of ten when the range
    /// spans a decade or more (fewer when they would crowd), round linear steps when it does
    /// not; positions are returned in log10.
    static func roundTicks(_ low: Double, _ high: Double, logarithmic: Bool) -> [Double] {
        func linear(_ low: Double, _ high: Double) -> [Double] {
            let rough = (high - low) / 5, power = pow(10, floor(log10(rough)))
            let step = [1.0, 2, 5, 10].map { $0 * power }.min { abs(log($0 / rough)) < abs(log($1 / rough)) }!
            return stride(from: (low / step).rounded(.up) * step, through: high + step * 1e-9, by: step).map { $0 }
        }
        guard logarithmic else { return linear(low, high) }
        guard high - low >= 1 else { return linear(pow(10, low), pow(10, high)).map(log10) }
        let decades = Int(floor(low))...Int(ceil(high))
        for multiples in [[1.0, 2, 5], [1.0, 3], [1.0]] {
            let ticks = decades.flatMap { d in multiples.map { log10($0) + Double(d) } }.filter {
                $0 >= low && $0 <= high
            }
            if ticks.count <= 8 { return ticks }
        }
        return decades.map(Double.init).filter { $0 >= low && $0 <= high }
    }
}

/// `text` with the characters XML reserves escaped.
private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}

/// A minimal SVG heat map: a grid of values with row and column labels, colour from the
/// smallest (light) to the largest (dark) value, each cell printed.
public struct SVGHeatMap: Sendable {
    public var title: String, rowLabel: String, columnLabel: String
    public var rows: [String], columns: [String]
    public var values: [[Float]]

    public init(
        title: String, rowLabel: String, columnLabel: String, rows: [String], columns: [String], values: [[Float]]
    ) {
        (self.title, self.rowLabel, self.columnLabel) = (title, rowLabel, columnLabel)
        (self.rows, self.columns, self.values) = (rows, columns, values)
    }

    public func render() -> String {
        let cell = 70.0, left = 90.0, top = 70.0
        let width = left + cell * Double(columns.count) + 30, height = top + cell * Double(rows.count) + 30
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 1
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="22" text-anchor="middle" font-size="14">\(escape(title))</text>
            <text x="\(left + cell * Double(columns.count) / 2)" y="\(top - 28)" text-anchor="middle">\(escape(columnLabel))</text>
            <text x="20" y="\(top + cell * Double(rows.count) / 2)" text-anchor="middle">\(escape(rowLabel))</text>

            """
        for (j, column) in columns.enumerated() {
            svg +=
                "<text x=\"\(left + cell * (Double(j) + 0.5))\" y=\"\(top - 8)\" text-anchor=\"middle\">\(escape(column))</text>\n"
        }
        for (i, row) in rows.enumerated() {
            svg +=
                "<text x=\"\(left - 8)\" y=\"\(top + cell * (Double(i) + 0.5) + 4)\" text-anchor=\"end\">\(escape(row))</text>\n"
            for (j, value) in values[i].enumerated() {
                let t = high > low && value.isFinite ? Double((value - low) / (high - low)) : 0
                let shade = Int(235 - 170 * t)
                let text = value.isFinite ? String(format: "%.3f", value) : "n/a"
                svg +=
                    "<rect x=\"\(left + cell * Double(j))\" y=\"\(top + cell * Double(i))\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"white\"/>"
                svg +=
                    "<text x=\"\(left + cell * (Double(j) + 0.5))\" y=\"\(top + cell * (Double(i) + 0.5) + 4)\" text-anchor=\"middle\" fill=\"\(t > 0.6 ? "white" : "black")\">\(text)</text>\n"
            }
        }
        return svg + "</svg>\n"
    }
}
