// Reproduces the paper's claims in miniature on real data and prints what happened.
//
//     swift run -c release s3-demo
//
// Work in progress: the digits classifier study with its ablation (the transformer language
// model is still to come).

import Foundation
import Studies

let output = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("s3-demo-output")
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

let started = Date()
print("Digits classifier (UCI handwritten digits, MLP 64-32-10, 300 steps of 32): learning-rate search, then")
print("each optimizer at its best rate and at 10x it over 3 seeds. Clipping at 1.0 for all but S3.\n")
let result = try ClassifierStudy().run { print("  " + $0) }

func row(_ s: ClassifierStudy.Setting) -> String {
    String(format: "| %@ | %g | %d | %.3f ± %.3f | %.3f | %d | %.2f |", s.optimizer, s.learningRate, s.steps,
           s.meanAccuracy, s.accuracySpread, s.meanValidationLoss, s.spikes, s.largestUpdate)
}
print("\n| optimizer | lr | steps | validation accuracy | validation loss | spikes | largest update / lr |")
print("|---|---|---|---|---|---|---|")
for setting in result.best + result.tenTimes + [result.adamWAt2N] { print(row(setting)) }
print("\nAblation (the paper's Table III in miniature), at S3's best rate and at 10x it:\n")
print("| variant | lr | steps | validation accuracy | validation loss | spikes | largest update / lr |")
print("|---|---|---|---|---|---|---|")
for setting in result.ablation { print(row(setting)) }
print("\nS3 sensitivity, validation accuracy (mean of \(result.grid[0][0].runs.count) seeds), beta x p:\n")
print("| beta | " + result.ps.map { "p=\(Int($0))" }.joined(separator: " | ") + " |")
print("|---|" + String(repeating: "---|", count: result.ps.count))
for (beta, row) in zip(result.betas, result.grid) {
    print("| \(beta) | " + row.map { String(format: "%.3f", $0.meanAccuracy) }.joined(separator: " | ") + " |")
}

var csv = "optimizer,learning_rate,seed,steps,validation_accuracy,validation_loss,spikes,largest_update\n"
for setting in result.search + result.best + result.tenTimes + [result.adamWAt2N] + result.ablation + result.grid.flatMap({ $0 }) {
    for run in setting.runs {
        csv += "\(run.optimizer),\(run.learningRate),\(run.seed),\(run.losses.count),\(run.validationAccuracy),"
        csv += "\(run.validationLoss),\(run.spikes.count),\(run.largestUpdate)\n"
    }
}
// Loss curves of the first seed at the best rate, spikes marked.
let plot = SVGPlot(title: "Digits MLP: probe-set loss at each optimizer's best learning rate (seed 1)",
                   xLabel: "step", yLabel: "loss on 256 fixed training images", logY: true,
                   series: result.best.map { SVGPlot.Series(name: $0.optimizer, values: $0.runs[0].probeLosses,
                                                            marks: $0.runs[0].spikes) })
let plotURL = output.appendingPathComponent("digits-loss.svg")
try plot.render().write(to: plotURL, atomically: true, encoding: .utf8)
let heatMap = SVGHeatMap(title: "S3 on digits: validation accuracy over beta x p", rowLabel: "beta", columnLabel: "p",
                         rows: result.betas.map { "\($0)" }, columns: result.ps.map { "\(Int($0))" },
                         values: result.grid.map { $0.map(\.meanAccuracy) })
try heatMap.render().write(to: output.appendingPathComponent("digits-s3-grid.svg"), atomically: true, encoding: .utf8)
let csvURL = output.appendingPathComponent("digits-runs.csv")
try csv.write(to: csvURL, atomically: true, encoding: .utf8)
print(String(format: "\nS3 at N = 300 steps: %.3f; AdamW at 2N: %.3f. Runs in %@, loss curves in %@ (%.1f s).",
             result.s3AtN.meanAccuracy, result.adamWAt2N.meanAccuracy, csvURL.path, plotURL.path,
             Date().timeIntervalSince(started)))
