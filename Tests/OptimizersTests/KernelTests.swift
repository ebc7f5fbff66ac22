import Foundation
@testable import Optimizers
import Testing

/// The SIMD kernels against their plain counterparts: whole vectors against the padded tail,
/// S3's fixed-p kernels against its general-p kernel, vector math against the C library.
@Suite("Kernels")
struct KernelTests {
    static let width = Lanes.scalarCount
    /// 0, 1, W - 1, W, W + 1, 2W + 1 and a large size.
    static let sizes = [0, 1, width - 1, width, width + 1, 2 * width + 1, 1000]

    /// A step over n elements gives, bit for bit, what n one-element optimizers give: every
    /// element of a full vector computes exactly what the scalar tail computes.
    @Test(arguments: Catalog.all)
    func vectorBodyEqualsScalarTail(_ entry: Entry) throws {
        for count in Self.sizes {
            var rng = SplitMix64(seed: UInt64(count))
            var whole = try entry.make(learningRate: 1e-2)
            var singles = try (0..<count).map { _ in try entry.make(learningRate: 1e-2) }
            var x = FlatTensor((0..<count).map { _ in rng.float(exponents: -4...0) })
            var xs = x.map { FlatTensor([$0]) }
            for _ in 0..<10 {
                let g = FlatTensor((0..<count).map { _ in rng.float(exponents: -20...10, zeroQuarters: 1) })
                try whole.step(parameters: &x, gradients: g)
                for i in 0..<count { try singles[i].step(parameters: &xs[i], gradients: [g[i]]) }
            }
            #expect(x.map(\.bitPattern) == xs.map { $0[0].bitPattern }, "\(entry.name), \(count) elements")
        }
    }

    /// p = 1, 2, 3, 4 have dedicated kernels; the general-p kernel (log2/exp2) must agree with
    /// them to a few float32 ulps on the moment root and the parameters, over the whole range.
    @Test(arguments: [1, 2, 3, 4] as [Float], [true, false])
    func s3FixedPowerKernelsEqualTheGeneralKernel(p: Float, nesterov: Bool) throws {
        let count = 1003
        let optimizer = try S3(learningRate: 1e-2, beta: 0.9, p: p, weightDecay: 0.1, nesterov: nesterov)
        let coefficients = optimizer.coefficients(learningRate: 1e-2, weightDecay: 0.1)
        #expect(coefficients.power != .general)
        var rng = SplitMix64(seed: UInt64(p))
        let x0 = (0..<count).map { _ in rng.float(exponents: -4...0) }
        var fast = KernelRun(coefficients: coefficients, x: x0)
        var general = KernelRun(coefficients: coefficients, x: x0)
        general.coefficients.power = .general
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

    /// S3's kernel on plain arrays.
    struct KernelRun {
        var coefficients: S3Kernel.Coefficients
        var x: [Float]
        lazy var m = [Float](repeating: 0, count: x.count)
        lazy var r = [Float](repeating: 0, count: x.count)

        init(coefficients: S3Kernel.Coefficients, x: [Float]) {
            self.coefficients = coefficients
            self.x = x
        }

        mutating func step(_ g: [Float]) {
            var (x, m, r) = (self.x, self.m, self.r)
            S3Kernel.update(coefficients, x: &x, g: g, m: &m, r: &r, range: 0..<g.count)
            (self.x, self.m, self.r) = (x, m, r)
        }
    }

    @Test func cubeRootIsAccurate() {
        var rng = SplitMix64(seed: 3)
        var worst: Float = 0
        for _ in 0..<20_000 {
            var v = Lanes()
            for lane in 0..<Self.width { v[lane] = abs(rng.float(exponents: -126...124)) }
            let roots = v.cubeRoots()
            for lane in 0..<Self.width {
                let exact = Float(cbrt(Double(v[lane])))
                worst = max(worst, abs(roots[lane] - exact) / exact.ulp)
            }
        }
        #expect(worst <= 1.05, "cube root within \(worst) ulp")
        #expect(Lanes.zero.cubeRoots() == .zero)
    }

    @Test func log2AndExp2AreAccurate() {
        var rng = SplitMix64(seed: 4)
        var worstLog: Double = 0, worstExp: Float = 0
        for _ in 0..<20_000 {
            var v = Lanes(), y = Lanes()
            for lane in 0..<Self.width {
                v[lane] = abs(rng.float(exponents: -126...127))
                y[lane] = Float(Int(rng.next() % 200_000)) / 1000 - 150  // [-150, 50)
            }
            let logs = v.log2s(), exps = y.exp2s()
            for lane in 0..<Self.width {
                worstLog = max(worstLog, abs(Double(logs[lane]) - log2(Double(v[lane]))) / max(1, abs(log2(Double(v[lane])))))
                let exact = exp2(Double(y[lane]))
                if exact >= Double(Float.leastNormalMagnitude) {
                    worstExp = max(worstExp, abs(exps[lane] - Float(exact)) / Float(exact).ulp)
                } else {
                    #expect(exps[lane] == 0 || abs(Double(exps[lane]) - exact) <= Double(Float.leastNormalMagnitude))
                }
            }
        }
        #expect(worstLog < 3e-7, "log2 relative error \(worstLog)")
        #expect(worstExp <= 3, "exp2 within \(worstExp) ulp")
        #expect(Lanes.zero.log2s() == Lanes(repeating: -.infinity))
        #expect(Lanes(repeating: -.infinity).exp2s() == .zero)
        // Subnormals: log2 of the smallest positive float is -149.
        #expect(Lanes(repeating: .leastNonzeroMagnitude).log2s() == Lanes(repeating: -149))
    }

    @Test func powerOfTwoScalesAreExactAndInRange() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<5_000 {
            var v = Lanes()
            for lane in 0..<Self.width { v[lane] = abs(rng.float(exponents: -126...127)) }
            let (down, up) = v.powerOfTwoScales
            let scaled = v * down
            #expect(all(scaled .>= 1) && all(scaled .< 4))
            #expect(scaled * up == v, "scaling is exact")
            #expect(down * up == Lanes(repeating: 1))
        }
        let (down, _) = Lanes(repeating: .leastNonzeroMagnitude).powerOfTwoScales
        #expect(all(Lanes(repeating: .leastNonzeroMagnitude) * down .< 1))
    }

    @Test func signAndMagnitude() {
        let v = Lanes(0, -0.0, 1e-45, -1e-45, 3, -3, .infinity, -.infinity)
        #expect(v.signs == Lanes(0, 0, 1, -1, 1, -1, 1, -1))
        #expect(v.magnitudes == Lanes(0, 0, 1e-45, 1e-45, 3, 3, .infinity, .infinity))
        #expect(Lanes(repeating: .nan).signs == .zero)
    }

    @Test func nonFiniteScanFindsTheFirstBadElement() {
        for count in Self.sizes + [4095, 4096, 4097, 9000] {
            let clean = FlatTensor((0..<count).map { Float($0) * 1e30 })
            #expect(Validate.firstNonFinite(clean) == nil)
            for index in Set([0, count / 3, count - 1, min(4096, count - 1)]) where count > 0 {
                var values = clean
                values[index] = .nan
                if index + 1 < count { values[count - 1] = .infinity }
                #expect(Validate.firstNonFinite(values) == index, "\(count) elements, bad at \(index)")
            }
        }
    }
}
