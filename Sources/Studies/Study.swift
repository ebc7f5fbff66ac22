import Dispatch
import Foundation
import Synchronization

/// The paper's protocol in miniature, for any ``StudyTask``: a coarse learning-rate search per
/// optimizer (first seed), then each optimizer at its best rate (lowest validation loss) and at
/// 10x that rate over several seeds, S3 trained for N steps against AdamW trained for 2N, the
/// paper's ablation (Table III) and a beta x p grid for S3. Independent runs go to all cores;
/// each run is deterministic, so the results do not depend on the core count.
public struct Study<Task: StudyTask>: Sendable {
    public let task: Task
    public var steps: Int
    public var seeds: [UInt64]
    public var learningRates: [Float]
    /// Whether to run the ablation; an empty `betas` or `ps` skips the grid.
    public var ablation = true
    public var betas: [Float] = [0.9, 0.95, 0.99], ps: [Float] = [1, 2, 3, 4]

    public init(task: Task, steps: Int, seeds: [UInt64], learningRates: [Float]) {
        (self.task, self.steps, self.seeds, self.learningRates) = (task, steps, seeds, learningRates)
    }

    /// One optimizer at one learning rate over the seeds.
    public struct Setting: Sendable {
        public let optimizer: String
        public let learningRate: Float
        public let steps: Int
        public let runs: [TrainingRun]

        public var accuracies: [Float] { runs.map(\.validationAccuracy) }
        public var meanAccuracy: Float { Self.mean(accuracies) }
        /// The sample standard deviation of the accuracy over seeds.
        public var accuracySpread: Float { Self.spread(accuracies) }
        public var meanValidationLoss: Float { Self.mean(runs.map(\.validationLoss)) }
        public var validationLossSpread: Float { Self.spread(runs.map(\.validationLoss)) }
        public var spikes: Int { runs.map(\.spikes.count).reduce(0, +) }
        public var largestUpdate: Float { runs.map(\.largestUpdate).max() ?? 0 }

        static func mean(_ values: [Float]) -> Float { values.reduce(0, +) / Float(max(1, values.count)) }
        static func spread(_ values: [Float]) -> Float {
            let mean = mean(values)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(1, values.count - 1)))
                .squareRoot()
        }
    }

    public struct Result: Sendable {
        /// Every (optimizer, learning rate) of the search, first seed only.
        public let search: [Setting]
        /// Each optimizer at its best learning rate, then at 10x it.
        public let best: [Setting], tenTimes: [Setting]
        /// S3 (best rate) at `steps` and AdamW (best rate) at `2 * steps`.
        public let s3AtN: Setting, adamWAt2N: Setting
        /// The paper's Table III in miniature at S3's best rate and at 10x it (empty if skipped).
        public let ablation: [Setting]
        /// AdamW and S3 with bfloat16 moments, each at its float32 best rate.
        public let bfloat16: [Setting]
        /// S3 over beta x p at its best rate: `grid[i][j]` for `betas[i]`, `ps[j]`.
        public let grid: [[Setting]]
        public let betas: [Float], ps: [Float]

        /// Every setting once.
        public var all: [Setting] { search + best + tenTimes + [adamWAt2N] + bfloat16 + ablation + grid.flatMap { $0 } }
    }

    /// The ablation's S3 variants, from Adam-like to the paper's S3.
    public static var ablationVariants: [OptimizerRecipe] {
        [
            .s3(beta1: 0.9, beta2: 0.999, p: 2, nesterov: false),  // Adam-like: separate betas, no NAG, p = 2
            .s3(beta1: 0.95, beta2: 0.95, p: 2, nesterov: false),  // same beta
            .s3(beta1: 0.95, beta2: 0.95, p: 2, nesterov: true),  // + NAG
            .s3(beta1: 0.95, beta2: 0.95, p: 3, nesterov: false),  // p = 3 without NAG
            .s3(beta1: 0.95, beta2: 0.95, p: 3, nesterov: true),  // the paper's S3
            .s3(beta1: 0.9, beta2: 0.999, p: 3, nesterov: true),  // separate betas with NAG and p = 3
        ]
    }

    /// What a plan's setting is in the result.
    enum Role: Hashable {
        case search(OptimizerChoice, learningRate: Float)
        case best(OptimizerChoice)
        case tenTimes(OptimizerChoice)
        case bfloat16(OptimizerChoice)
        case adamWAt2N
        case ablation(variant: Int, tenTimes: Bool)
        case grid(beta: Float, p: Float)
    }

    /// What to train: a recipe at a learning rate for some steps, over some seeds, in a role.
    struct Plan {
        let role: Role, recipe: OptimizerRecipe, learningRate: Float, steps: Int, seeds: [UInt64]
    }

    /// Runs the whole protocol; `progress` receives a line per finished run (from any thread).
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> Result {
        /// Trains every plan over its seeds on all cores; progress counts the runs of this phase.
        func train(_ phase: String, _ plans: [Plan]) throws -> [Role: Setting] {
            let jobs = plans.flatMap { plan in plan.seeds.map { (plan, $0) } }
            let finished = Atomic(0)
            let results = Mutex([Swift.Result<TrainingRun, any Error>?](repeating: nil, count: jobs.count))
            DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
                let (plan, seed) = jobs[index], started = Date()
                let result = Swift.Result {
                    try task.train(plan.recipe, learningRate: plan.learningRate, seed: seed, steps: plan.steps)
                }
                results.withLock { $0[index] = result }
                let count = finished.add(1, ordering: .relaxed).newValue
                if case .success(let run) = result {
                    progress(
                        String(
                            format:
                                "%@ [%d/%d] %@ lr %g seed %d, %d steps: validation loss %.3f, accuracy %.3f (%.1f s)",
                            phase, count, jobs.count, plan.recipe.name, plan.learningRate, seed, plan.steps,
                            run.validationLoss, run.validationAccuracy, Date().timeIntervalSince(started)))
                }
            }
            let runs = try results.withLock { try $0.map { try $0!.get() } }
            var settings: [Role: Setting] = [:]
            for plan in plans {
                let own = zip(jobs, runs).filter { $0.0.0.role == plan.role }.map(\.1)
                settings[plan.role] = Setting(
                    optimizer: plan.recipe.name, learningRate: plan.learningRate, steps: plan.steps, runs: own)
            }
            return settings
        }
        let choices = OptimizerChoice.allCases
        let search = try train(
            "search",
            choices.flatMap { choice in
                learningRates.map {
                    Plan(
                        role: .search(choice, learningRate: $0), recipe: choice.recipe, learningRate: $0,
                        steps: steps, seeds: [seeds[0]])
                }
            })
        var bestRate: [OptimizerChoice: Float] = [:]
        for choice in choices {
            let candidates = learningRates.map { search[.search(choice, learningRate: $0)]! }
            let winner = candidates.filter { $0.meanValidationLoss.isFinite }.min {
                $0.meanValidationLoss < $1.meanValidationLoss
            }
            bestRate[choice] = (winner ?? candidates[0]).learningRate
        }
        let (adamWRate, s3Rate) = (bestRate[.adamW]!, bestRate[.s3]!)
        let second = try train(
            "best, 10x, bfloat16, 2N",
            choices.flatMap { choice in
                [
                    Plan(
                        role: .best(choice), recipe: choice.recipe, learningRate: bestRate[choice]!, steps: steps,
                        seeds: seeds),
                    Plan(
                        role: .tenTimes(choice), recipe: choice.recipe, learningRate: 10 * bestRate[choice]!,
                        steps: steps, seeds: seeds),
                ]
            } + [
                Plan(
                    role: .bfloat16(.adamW), recipe: .bfloat16(.adamW), learningRate: adamWRate, steps: steps,
                    seeds: seeds),
                Plan(role: .bfloat16(.s3), recipe: .bfloat16(.s3), learningRate: s3Rate, steps: steps, seeds: seeds),
                Plan(
                    role: .adamWAt2N, recipe: OptimizerChoice.adamW.recipe, learningRate: adamWRate, steps: 2 * steps,
                    seeds: seeds),
            ])
        let variants =
            ablation
            ? [false, true].flatMap { tenTimes in
                Self.ablationVariants.indices.map { variant in
                    Plan(
                        role: .ablation(variant: variant, tenTimes: tenTimes), recipe: Self.ablationVariants[variant],
                        learningRate: tenTimes ? 10 * s3Rate : s3Rate, steps: steps, seeds: seeds)
                }
            } : []
        let gridPlans = betas.flatMap { beta in
            ps.map {
                Plan(
                    role: .grid(beta: beta, p: $0), recipe: .s3(beta1: beta, beta2: beta, p: $0, nesterov: true),
                    learningRate: s3Rate, steps: steps, seeds: seeds)
            }
        }
        let third = try train("ablation and grid", variants + gridPlans)
        return Result(
            search: choices.flatMap { choice in learningRates.map { search[.search(choice, learningRate: $0)]! } },
            best: choices.map { second[.best($0)]! }, tenTimes: choices.map { second[.tenTimes($0)]! },
            s3AtN: second[.best(.s3)]!, adamWAt2N: second[.adamWAt2N]!,
            ablation: variants.map { third[$0.role]! },
            bfloat16: [second[.bfloat16(.adamW)]!, second[.bfloat16(.s3)]!],
            grid: betas.map { beta in ps.map { third[.grid(beta: beta, p: $0)]! } }, betas: betas, ps: ps)
    }
}
