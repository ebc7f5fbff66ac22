// Reproduces the paper's claims in miniature on real data and prints what happened.
//
//     swift run -c release s3-demo           # the reduced default study (under 3 minutes on 2 cores)
//     swift run -c release s3-demo --full    # more seeds, rates and steps, the grid on both models
//
// Tables go to stdout; CSV files and SVG plots to ./s3-demo-output.

import Foundation
import Studies

let arguments = Set(CommandLine.arguments.dropFirst())
guard arguments.isSubset(of: ["--full"]) else {
    print("usage: s3-demo [--full]")
    exit(2)
}
let full = arguments.contains("--full")
let output = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("s3-demo-output")
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
let started = Date()
let progress: @Sendable (String) -> Void = { line in
    print(String(format: "  %6.1f s  ", Date().timeIntervalSince(started)) + line)
    fflush(nil)  // progress appears as it happens, even in a pipe
}

/// Prints a study's tables and writes its CSV and plots; returns the files written.
func report<Task>(_ result: Study<Task>.Result, name: String, accuracy: String, lossLabel: String) throws -> [URL] {
    func row(_ s: Study<Task>.Setting) -> String {
        let loss =
            s.meanValidationLoss.isFinite
            ? String(format: "%.4f ± %.4f", s.meanValidationLoss, s.validationLossSpread)
            : "diverged in \(s.runs.filter { !$0.validationLoss.isFinite }.count) of \(s.runs.count)"
        return String(
            format: "| %@ | %g | %d | %@ | %.3f ± %.3f | %d | %.2f |", s.optimizer, s.learningRate, s.steps,
            loss, s.meanAccuracy, s.accuracySpread, s.spikes, s.largestUpdate)
    }
    let header =
        "| optimizer | lr | steps | validation loss | \(accuracy) | spikes | largest update / lr |\n|---|---|---|---|---|---|---|"
    let seeds = result.best[0].runs.count
    print(
        "\nEach optimizer at its best learning rate, at 10x it, and AdamW at 2N steps (mean ± sd over \(seeds) seeds):\n"
    )
    print(header)
    for setting in result.best + result.tenTimes + [result.adamWAt2N] { print(row(setting)) }
    print("\nMoments stored as bfloat16 (4 bytes per parameter instead of 8), at each one's float32 best rate:\n")
    print(header)
    for setting in result.bfloat16 { print(row(setting)) }
    if !result.ablation.isEmpty {
        print("\nAblation (the paper's Table III in miniature), at S3's best rate and at 10x it:\n")
        print(header)
        for setting in result.ablation { print(row(setting)) }
    }
    var files: [URL] = []
    if !result.grid.isEmpty {
        print("\nS3 sensitivity, validation loss (mean of \(seeds) seeds), beta x p, at S3's best rate:\n")
        print("| beta | " + result.ps.map { "p=\(Int($0))" }.joined(separator: " | ") + " |")
        print("|---|" + String(repeating: "---|", count: result.ps.count))
        for (beta, row) in zip(result.betas, result.grid) {
            print(
                "| \(beta) | " + row.map { String(format: "%.4f", $0.meanValidationLoss) }.joined(separator: " | ")
                    + " |")
        }
        let heatMap = SVGHeatMap(
            title: "S3 on \(name): validation loss over beta x p", rowLabel: "beta", columnLabel: "p",
            rows: result.betas.map { "\($0)" }, columns: result.ps.map { "\(Int($0))" },
            values: result.grid.map { $0.map(\.meanValidationLoss) })
        files.append(output.appendingPathComponent("\(name)-s3-grid.svg"))
        try heatMap.render().write(to: files.last!, atomically: true, encoding: .utf8)
    }
    print(
        String(
            format: "\nS3 at N = %d steps: validation loss %.4f; AdamW at 2N: %.4f.", result.s3AtN.steps,
            result.s3AtN.meanValidationLoss, result.adamWAt2N.meanValidationLoss))
    var csv = "optimizer,learning_rate,seed,steps,validation_loss,validation_accuracy,spikes,largest_update\n"
    for setting in result.all {
        for run in setting.runs {
            csv += "\(run.optimizer),\(run.learningRate),\(run.seed),\(setting.steps),\(run.validationLoss),"
            csv += "\(run.validationAccuracy),\(run.spikes.count),\(run.largestUpdate)\n"
        }
    }
    files.append(output.appendingPathComponent("\(name)-runs.csv"))
    try csv.write(to: files.last!, atomically: true, encoding: .utf8)
    for (label, settings) in [("best", result.best), ("10x", result.tenTimes)] {
        let plot = SVGPlot(
            title:
                "\(name): probe-set loss at each optimizer's \(label == "best" ? "best" : "10x best") learning rate (seed \(settings[0].runs[0].seed))",
            xLabel: "step", yLabel: lossLabel, logY: true,
            series: settings.map {
                SVGPlot.Series(
                    name: $0.optimizer, values: $0.runs[0].probeLosses,
                    marks: $0.runs[0].spikes)
            })
        files.append(output.appendingPathComponent("\(name)-loss-\(label).svg"))
        try plot.render().write(to: files.last!, atomically: true, encoding: .utf8)
    }
    return files
}

var files: [URL] = []
var digits = Study(
    task: try DigitsTask(), steps: full ? 600 : 300, seeds: full ? [1, 2, 3, 4, 5] : [1, 2, 3],
    learningRates: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1])
print(
    """
    Digits classifier (UCI handwritten digits, MLP 64-32-10, \(digits.steps) steps of 32 images): learning-rate
    search, then each optimizer at its best rate and at 10x it over \(digits.seeds.count) seeds. Clipping at 1.0 for all but S3.

    """)
files += try report(
    try digits.run(progress: progress), name: "digits", accuracy: "validation accuracy",
    lossLabel: "loss on 256 fixed training images")

let language = try LanguageModelTask(context: full ? 64 : 32, width: full ? 48 : 32, heads: 2, blocks: 2)
var lm = Study(
    task: language, steps: full ? 600 : 300, seeds: full ? [1, 2, 3] : [1, 2],
    learningRates: full ? [3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1] : [1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
if !full { (lm.betas, lm.ps) = ([], []) }
print(
    """

    Character-level transformer (\(language.model.blocks) blocks, width \(language.model.width), \(language.model.heads) heads, \
    context \(language.model.context), \(language.model.parameterCount) parameters) on the King James Genesis and
    Exodus (\(language.corpus.tokens.count) characters, last 10% held out), \(lm.steps) steps of \(language.batchSize) windows.

    """)
let text = try lm.run(progress: progress)
files += try report(
    text, name: "text", accuracy: "next-character accuracy",
    lossLabel: "loss on 8 fixed training windows (nats/char)")
// What the models learned: each optimizer's first-seed model at its best rate continues a prompt.
let prompt = "And the LORD said unto Moses, "
print("\nSamples (temperature 0.8) continuing \"\(prompt)\":\n")
for setting in text.best {
    var generator = StudyRandom(seed: 7)
    let continuation = language.model.sample(
        setting.runs[0].parameters, prompt: language.corpus.encode(prompt),
        count: 100, using: &generator)
    print(
        "  \(setting.optimizer.padding(toLength: 6, withPad: " ", startingAt: 0)) "
            + language.corpus.decode(continuation).replacingOccurrences(of: "\n", with: " / "))
}

print(
    String(format: "\nWrote %@ (%.0f s).", files.map(\.path).joined(separator: ", "), Date().timeIntervalSince(started))
)
