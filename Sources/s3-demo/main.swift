// Reproduces the paper's claims in miniature on real data and prints what happened.
//
//     swift run -c release s3-demo
//
// Work in progress: the digits classifier study (the transformer language model, the ablation
// and the plots are still to come).

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

var csv = "optimizer,learning_rate,seed,steps,validation_accuracy,validation_loss,spikes,largest_update\n"
for setting in result.search + result.best + result.tenTimes + [result.adamWAt2N] {
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
let csvURL = output.appendingPathComponent("digits-runs.csv")
try csv.write(to: csvURL, atomically: true, encoding: .utf8)
print(String(format: "\nS3 at N = 300 steps: %.3f; AdamW at 2N: %.3f. Runs in %@, loss curves in %@ (%.1f s).",
             result.s3AtN.meanAccuracy, result.adamWAt2N.meanAccuracy, csvURL.path, plotURL.path,
             Date().timeIntervalSince(started)))
