import Foundation
import Optimizers
import Testing

/// The kernels are compiled once per instruction-set level; every level must compute the same
/// bits. Each test runs every level this machine supports in the same process.
@Suite("Instruction-set levels")
struct InstructionSetTests {
    /// Every optimizer option that selects a different kernel.
    static let variants: [(String, @Sendable () throws -> any StatefulOptimizer)] = {
        var variants: [(String, @Sendable () throws -> any StatefulOptimizer)] = Catalog.all.map { entry in
            (entry.name, { @Sendable in try entry.make(learningRate: 1e-2) })
        }
        variants += [
            ("SGDM plain", { @Sendable in try SGDM(learningRate: 1e-2, momentum: 0, weightDecay: 0.1) }),
            ("SGDM nesterov", { @Sendable in try SGDM(learningRate: 1e-2, nesterov: true, weightDecay: 0.1) }),
            ("SGDM dampened", { @Sendable in try SGDM(learningRate: 1e-2, dampening: 0.3) }),
            (
                "NAdam decoupled",
                { @Sendable in try NAdam(learningRate: 1e-2, weightDecay: 0.1, decoupledWeightDecay: true) }
            ),
            ("Adan decoupled", { @Sendable in try Adan(learningRate: 1e-2, decoupledWeightDecay: true) }),
            (
                "AdamW amsgrad bfloat16",
                { @Sendable in try AdamW(learningRate: 1e-2, amsgrad: true, momentPrecision: .bfloat16) }
            ),
            (
                "S3 separate betas",
                { @Sendable in try S3(learningRate: 1e-2, beta1: 0.9, beta2: 0.99, weightDecay: 0.1) }
            ),
        ]
        for p: Float in [1, 2, 3, 4, 2.5, 8] {
            for nesterov in [true, false] {
                for precision in [MomentPrecision.float32, .bfloat16] {
                    variants.append(
                        (
                            "S3 p=\(p) nesterov \(nesterov) \(precision)",
                            { @Sendable in
                                try S3(
                                    learningRate: 1e-2, p: p, weightDecay: 0.1, nesterov: nesterov,
                                    momentPrecision: precision)
                            }
                        ))
                }
            }
        }
        return variants
    }()

    /// Split from 256 elements per thread on: two threads' worth of elements, four telemetry
    /// tiles, and a ragged tail for every vector width.
    static let (count, minimum) = (4 * 256 + 37, 256)

    @Test func theActiveLevelIsTheBestAvailableOne() {
        #expect(testedLevels.first == .baseline)
        #expect(testedLevels == testedLevels.sorted())
        if ProcessInfo.processInfo.environment["OPTIMIZERS_ISA"] == nil {
            #expect(InstructionSet.active == testedLevels.last)
            #expect(InstructionSet.selectionNote == nil)
        }
        print(
            "instruction-set levels tested: \(testedLevels.map(\.rawValue)); active: \(InstructionSet.active.rawValue)")
        for level in skippedLevels {
            print("instruction-set level \(level.rawValue) skipped: this machine or build cannot run it")
        }
        #expect(InstructionSet.avx512.vectorWidth == 16 && InstructionSet.avx2.vectorWidth == 8)
    }

    /// Three steps of every variant on one and two threads, with telemetry, at every level:
    /// parameters, state and telemetry are bit-identical.
    @Test func everyLevelAndThreadCountGivesTheSameBits() throws {
        var rng = SplitMix64(seed: 77)
        let x0 = randomTensor(Self.count, &rng, exponents: -4...0)
        let gradients = (0..<3).map { _ in randomTensor(Self.count, &rng, exponents: -40...40, zeroQuarters: 1) }
        for (name, make) in Self.variants {
            var reference: (parameters: [UInt32], checkpoint: [UInt8], telemetry: UpdateTelemetry?)?
            for level in testedLevels {
                for threads in [1, 2] {
                    var optimizer = try make()
                    optimizer.recordsTelemetry = true
                    var x = x0
                    try atLevel(level) {
                        try withThreads(threads, minimumElementsPerThread: Self.minimum) {
                            for g in gradients { try optimizer.step(parameters: &x, gradients: g) }
                        }
                    }
                    let result = (x.map(\.bitPattern), try checkpointBytes(optimizer), optimizer.telemetry)
                    if let reference {
                        #expect(result.0 == reference.parameters, "\(name): parameters at \(level), \(threads) threads")
                        #expect(result.1 == reference.checkpoint, "\(name): state at \(level), \(threads) threads")
                        #expect(result.2 == reference.telemetry, "\(name): telemetry at \(level), \(threads) threads")
                    } else {
                        reference = result
                    }
                }
            }
        }
    }

    /// Clipping norms and the tensor arithmetic are the same at every level and thread count too.
    @Test func clippingAndTensorArithmeticGiveTheSameBits() throws {
        var rng = SplitMix64(seed: 78)
        let values = randomTensor(3 * 4 * Self.minimum + 5, &rng, exponents: -70...70)
        let other = randomTensor(values.count, &rng, exponents: -10...10)
        var results: Set<[UInt64]> = []
        for level in testedLevels {
            for threads in [1, 2, 3] {
                try atLevel(level) {
                    try withThreads(threads, minimumElementsPerThread: Self.minimum) {
                        var clipped = values, summed = values, scaled = values
                        let norm = try GradientClipping.clipGlobalNorm(&clipped, maxNorm: 1)
                        try summed.add(other, scaledBy: 0.37)
                        scaled.scale(by: 1.7)
                        let bits = [clipped, summed, scaled].flatMap { $0.map { UInt64($0.bitPattern) } }
                        results.insert([norm.bitPattern] + bits)
                    }
                }
            }
        }
        #expect(results.count == 1, "\(results.count) different results")
    }
}
