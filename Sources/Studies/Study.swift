import Foundation

/// The paper's protocol in miniature on the digits MLP: a coarse learning-rate search per
/// optimizer, then each optimizer at its best rate and at 10x that rate over several seeds,
/// plus S3 trained for N steps against AdamW trained for 2N.
public struct ClassifierStudy: Sendable {
    public var steps = 300
    public var batchSize = 32
    public var hidden = 32
    public var seeds: [UInt64] = [1, 2, 3]
    public var learningRates: [Float] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]

    public init() {}

    /// One optimizer at one learning rate over the seeds.
    public struct Setting: Sendable {
        public let optimizer: String
        public let learningRate: Float
        public let steps: Int
        public let runs: [TrainingRun]

        public var accuracies: [Float] { runs.map(\.validationAccuracy) }
        public var meanAccuracy: Float { accuracies.reduce(0, +) / Float(max(1, runs.count)) }
        /// The standard deviation of the accuracy over seeds.
        public var accuracySpread: Float {
            let mean = meanAccuracy
            return (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(1, runs.count - 1))).squareRoot()
        }
        public var meanValidationLoss: Float { runs.map(\.validationLoss).reduce(0, +) / Float(max(1, runs.count)) }
        public var spikes: Int { runs.map(\.spikes.count).reduce(0, +) }
        public var largestUpdate: Float { runs.map(\.largestUpdate).max() ?? 0 }
    }

    public struct Result: Sendable {
        /// Every (optimizer, learning rate) of the search, first seed only.
        public let search: [Setting]
        /// Each optimizer at its best learning rate, then at 10x it.
        public let best: [Setting], tenTimes: [Setting]
        /// S3 (best rate) at `steps` and AdamW (best rate) at `2 * steps`.
        public let s3AtN: Setting, adamWAt2N: Setting
        /// The paper's Table III in miniature at S3's best rate and at 10x it: same or separate
        /// coefficients, Nesterov on or off, p = 2 or 3.
        public let ablation: [Setting]
        /// S3 over beta x p at its best rate: `grid[i][j]` for `betas[i]`, `ps[j]`.
        public let grid: [[Setting]]
        public let betas: [Float], ps: [Float]
    }

    /// Runs the whole protocol; `progress` receives a line per finished setting.
    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        let digits = try Digits.load()
        let (training, validation) = digits.split(seed: 0)
        let model = MLP(inputs: Digits.pixels, hidden: hidden, classes: Digits.classes)
        func setting(_ recipe: OptimizerRecipe, _ rate: Float, seeds: [UInt64], steps: Int) throws -> Setting {
            let runs = try seeds.map { seed in
                try model.train(recipe, learningRate: rate, seed: seed, steps: steps, batchSize: batchSize,
                                digits: digits, training: training, validation: validation)
            }
            let result = Setting(optimizer: recipe.name, learningRate: rate, steps: steps, runs: runs)
            progress("\(recipe.name) lr \(rate) x \(seeds.count) seeds, \(steps) steps: accuracy \(result.meanAccuracy)")
            return result
        }
        func setting(_ choice: OptimizerChoice, _ rate: Float, seeds: [UInt64], steps: Int) throws -> Setting {
            try setting(choice.recipe, rate, seeds: seeds, steps: steps)
        }
        var search: [Setting] = [], best: [Setting] = [], tenTimes: [Setting] = []
        for choice in OptimizerChoice.allCases {
            let candidates = try learningRates.map { try setting(choice, $0, seeds: [seeds[0]], steps: steps) }
            search += candidates
            let winner = candidates.filter { $0.meanValidationLoss.isFinite }
                .min { $0.meanValidationLoss < $1.meanValidationLoss } ?? candidates[0]
            best.append(try setting(choice, winner.learningRate, seeds: seeds, steps: steps))
            tenTimes.append(try setting(choice, winner.learningRate * 10, seeds: seeds, steps: steps))
        }
        let s3 = best.first { $0.optimizer == "S3" }!, adamW = best.first { $0.optimizer == "AdamW" }!
        let adamWAt2N = try setting(.adamW, adamW.learningRate, seeds: seeds, steps: 2 * steps)
        let variants: [OptimizerRecipe] = [
            .s3(beta1: 0.9, beta2: 0.999, p: 2, nesterov: false),   // Adam-like: separate betas, no NAG, p = 2
            .s3(beta1: 0.95, beta2: 0.95, p: 2, nesterov: false),   // same beta
            .s3(beta1: 0.95, beta2: 0.95, p: 2, nesterov: true),    // + NAG
            .s3(beta1: 0.95, beta2: 0.95, p: 3, nesterov: false),   // p = 3 without NAG
            .s3(beta1: 0.95, beta2: 0.95, p: 3, nesterov: true),    // the paper's S3
            .s3(beta1: 0.9, beta2: 0.999, p: 3, nesterov: true),    // separate betas with NAG and p = 3
        ]
        let ablation = try [s3.learningRate, 10 * s3.learningRate].flatMap { rate in
            try variants.map { try setting($0, rate, seeds: seeds, steps: steps) }
        }
        let betas: [Float] = [0.9, 0.95, 0.99], ps: [Float] = [1, 2, 3, 4]
        let grid = try betas.map { beta in
            try ps.map { p in
                try setting(.s3(beta1: beta, beta2: beta, p: p, nesterov: true), s3.learningRate, seeds: seeds, steps: steps)
            }
        }
        return Result(search: search, best: best, tenTimes: tenTimes, s3AtN: s3, adamWAt2N: adamWAt2N,
                      ablation: ablation, grid: grid, betas: betas, ps: ps)
    }
}
