import Foundation
import Testing

@testable import Theory

@Suite("Update-bound theorems")
struct TheoryTests {
    @Test func theorem1ClosedForm() {
        #expect(abs(HolderBound.adamAsymptotic(beta1: 0.9, beta2: 0.999) - 7.2703) < 1e-4)
        #expect(abs(HolderBound.adamAsymptotic(beta1: 0.9, beta2: 0.95) - 1.1650) < 1e-4)
        #expect(HolderBound.adamAsymptotic(beta1: 0.99, beta2: 0.95) == .infinity, "b1^2 >= b2")
        // The Hölder form with p = 2 and Adam's weights is Theorem 1, for long histories.
        let long = HolderBound.adam(beta1: 0.9, beta2: 0.999, steps: 20_000, biasCorrection: false)
        #expect(abs(long.value - 7.2703) < 1e-3)
    }

    @Test(arguments: [1, 1.5, 2, 3, 4, 8] as [Double])
    func theorem2EqualBetasBoundIsOne(p: Double) {
        for beta in [0.5, 0.9, 0.95, 0.999] {
            #expect(abs(HolderBound.s3Asymptotic(beta1: beta, beta2: beta, p: p) - 1) < 1e-12)
            let finite = HolderBound.s3(beta1: beta, beta2: beta, p: p, steps: 100_000)
            #expect(finite.value <= 1 + 1e-9 && finite.value > 0.999, "\(finite.value)")
        }
    }

    @Test func theorem2GeneralClosedFormMatchesTheSum() {
        for (b1, b2, p) in [(0.9, 0.99, 2.0), (0.8, 0.95, 3.0), (0.9, 0.999, 4.0), (0.5, 0.9, 1.0)] {
            let sum = HolderBound.s3(beta1: b1, beta2: b2, p: p, steps: 50_000, nesterov: false).value
            #expect(abs(sum / HolderBound.s3Asymptotic(beta1: b1, beta2: b2, p: p) - 1) < 1e-9)
        }
    }

    @Test func adamReachesItsBoundOnTheRealOptimizer() throws {
        let check = try Checks.constructedWorstCase(
            "Adam", probe: .adam(beta1: 0.9, beta2: 0.999), bound: .adam(beta1: 0.9, beta2: 0.999, steps: 3000))
        #expect(check.ratio >= 0.99 && check.respectsBound, "\(check)")
        // The worst case grows by b2 / b1 per step.
        let last = check.sequence.suffix(2).map(Double.init)
        #expect(abs(last[1] / last[0] - 0.999 / 0.9) < 1e-5)
    }

    @Test(arguments: [1, 1.5, 2, 3, 4, 8] as [Float])
    func s3NeverExceedsOneAndAConstantGradientGetsThere(p: Float) throws {
        let probe = UpdateProbe.s3(beta1: 0.95, beta2: 0.95, p: p)
        let constant = try Checks.constructedWorstCase(
            "S3", probe: probe, bound: .s3(beta1: 0.95, beta2: 0.95, p: Double(p), steps: 500))
        #expect(constant.observed >= 0.99 && constant.observed <= 1 + 1e-6, "\(constant)")
        let search = try Checks.adversarialSearch("S3", probe: probe, bound: 1, population: 128, generations: 20)
        #expect(search.observed <= 1 + 1e-6, "\(search)")
        for family in try Checks.randomFamilies("S3", probe: probe, bound: 1, count: 128) {
            #expect(family.observed <= 1 + 1e-6, "\(family)")
        }
    }

    @Test func separateCoefficientsRespectTheGeneralBound() throws {
        for (b1, b2, p, nesterov) in [(0.9, 0.99, 2.0, true), (0.9, 0.999, 2.0, false), (0.95, 0.9, 3.0, true)] {
            let bound = HolderBound.s3(beta1: b1, beta2: b2, p: p, steps: 200, nesterov: nesterov)
            let probe = UpdateProbe.s3(beta1: Float(b1), beta2: Float(b2), p: Float(p), nesterov: nesterov)
            let worst = try Checks.constructedWorstCase("S3", probe: probe, bound: bound)
            #expect(worst.respectsBound && worst.ratio > 0.99, "\(worst)")
            #expect(bound.value > 1, "unequal coefficients lose the bound of 1")
        }
    }

    @Test func largerPNeverGivesALargerStep() throws {
        let result = try Checks.s3UpdateIsMonotoneInP(ps: [1, 1.5, 2, 3, 4, 8], count: 128)
        #expect(result.pairs > 500 && result.largestRatio <= 1 + 1e-6)
    }

    @Test func nesterovFormsAgree() throws {
        let comparison = try NesterovForms.compare(
            curvatures: [0.1, 1, 10], start: [1, -1, 2],
            learningRate: 0.05, momentum: 0.9, steps: 100)
        #expect(comparison.formIAgainstII < 1e-12 && comparison.formIIIAgainstII < 1e-12)
        #expect(comparison.realSGDMAgainstII < 1e-5)
    }

    @Test func worstCaseStepsKeepTheSequenceInFloatRange() {
        #expect(Sweep.worstCaseSteps(beta1: 0.9, beta2: 0.999, p: 2, maximum: 1000) == 1000)
        let steps = Sweep.worstCaseSteps(beta1: 0.99, beta2: 0.9, p: 2, maximum: 1000)
        #expect(steps < 1000 && pow(0.99 / 0.9, Double(steps) * 2) <= 1e25 * 1.0001)
    }
}
