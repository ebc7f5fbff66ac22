import Foundation
import Optimizers
import Testing
import _OptimizersKernels

/// The SIMD kernels against their plain counterparts: whole vectors against the padded tail at
/// every instruction-set level, and S3's fixed-p kernels against its general-p kernel.
@Suite("Kernels")
struct KernelTests {
    /// 0, 1, W - 1, W, W + 1 and 2W + 1 for both vector widths (8 and 16), and a large size.
    static let sizes = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000]

    /// A step over n elements gives, bit for bit, what n one-element optimizers give: every
    /// element of a full vector computes exactly what the padded tail computes.
    @Test(arguments: Catalog.all, testedLevels)
    func vectorBodyEqualsScalarTail(_ entry: Entry, level: InstructionSet) throws {
        try atLevel(level) {
            for count in Self.sizes {
                var rng = SplitMix64(seed: UInt64(count))
                var whole = try entry.make(learningRate: 1e-2)
                var singles = try (0..<count).map { _ in try entry.make(learningRate: 1e-2) }
                var x = randomTensor(count, &rng, exponents: -4...0)
                var xs = x.map { FlatTensor([$0]) }
                for _ in 0..<10 {
                    let g = randomTensor(count, &rng, exponents: -20...10, zeroQuarters: 1)
                    try whole.step(parameters: &x, gradients: g)
                    for i in 0..<count { try singles[i].step(parameters: &xs[i], gradients: [g[i]]) }
                }
                #expect(
                    x.map(\.bitPattern) == xs.map { $0[0].bitPattern }, "\(entry.name), \(count) elements at \(level)")
            }
        }
    }

    /// p = 1, 2, 3, 4 have dedicated kernels; the general-p kernel (log2/exp2) must agree with
    /// them to a few float32 ulps on the moment root and the parameters, over the whole range.
    @Test(arguments: [1, 2, 3, 4] as [Float], [true, false])
    func s3FixedPowerKernelsEqualTheGeneralKernel(p: Float, nesterov: Bool) {
        let count = 1003
        var rng = SplitMix64(seed: UInt64(p))
        let x0 = (0..<count).map { _ in rng.float(exponents: -4...0) }
        var fast = S3Run(power: S3Power(p), nesterov: nesterov, p: p, x: x0)
        var general = S3Run(power: .general, nesterov: nesterov, p: p, x: x0)
        #expect(fast.power != .general)
        var worst = 0.0
        for _ in 0..<30 {
            let g = (0..<count).map { _ in rng.float(exponents: -100...100, zeroQuarters: 1) }
            fast.step(g)
            general.step(g)
            for i in 0..<count {
                let (a, b) = (fast.r[i], general.r[i])
                worst = max(worst, Double(abs(a - b)) / Double(max(abs(a), .leastNormalMagnitude)))
                #expect(abs(fast.x[i] - general.x[i]) <= 1e-6 * max(1, abs(fast.x[i])))
            }
        }
        #expect(worst < 4e-6, "moment roots differ by \(worst) relative")
    }

    /// S3's kernel from the baseline table on plain arrays.
    struct S3Run {
        let power: S3Power, nesterov: Bool, p: Float
        var x: [Float]
        lazy var m = [Float](repeating: 0, count: x.count)
        lazy var r = [Float](repeating: 0, count: x.count)

        init(power: S3Power, nesterov: Bool, p: Float, x: [Float]) {
            (self.power, self.nesterov, self.p, self.x) = (power, nesterov, p, x)
        }

        mutating func step(_ g: [Float]) {
            var (x, m, r) = (self.x, self.m, self.r)
            let kernel = KernelTable.baseline.s3(power, nesterov: nesterov, bfloat16: false)
            x.withUnsafeMutableBufferPointer { x in
                m.withUnsafeMutableBufferPointer { m in
                    r.withUnsafeMutableBufferPointer { r in
                        g.withUnsafeBufferPointer { g in
                            var arguments = S3Arguments(
                                decay: 1 - 1e-2 * 0.1, learningRate: 1e-2, epsilon: 1e-8, beta1: 0.9, beta2: 0.9, p: p,
                                x: x.baseAddress!, g: g.baseAddress!, m: m.baseAddress!, r: r.baseAddress!)
                            withUnsafePointer(to: &arguments) { kernel(UnsafeRawPointer($0), 0..<g.count, nil) }
                        }
                    }
                }
            }
            (self.x, self.m, self.r) = (x, m, r)
        }
    }
}
