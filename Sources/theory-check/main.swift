// Checks the update-bound theorems of Peng et al. 2025 on the real optimizers and prints the
// evidence. Exits with status 1 if any check fails.
//
//     swift run -c release theory-check

import Foundation
import Theory

var failures: [String] = []

@MainActor func check(_ condition: Bool, _ message: String) {
    print("  \(condition ? "pass" : "FAIL")  \(message)")
    if !condition { failures.append(message) }
}

func percent(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }

let started = Date()

print("Theorem 1 (Adam): |m_hat / sqrt(v_hat)| <= (1 - b1) / sqrt((1 - b2)(1 - b1^2 / b2))")
for (b1, b2, expected) in [(0.9, 0.999, 7.27), (0.9, 0.95, 1.17)] {
    let value = HolderBound.adamAsymptotic(beta1: b1, beta2: b2)
    check(
        abs(value - expected) < 0.006,
        String(format: "closed form at (%.2f, %.3f) = %.4f (paper: about %.2f)", b1, b2, value, expected))
}
let adamWorst = try Checks.constructedWorstCase(
    "real AdamW (0.9, 0.999), gradient growing by b2/b1 per step after a quiet prefix, 10000 steps",
    probe: .adam(beta1: 0.9, beta2: 0.999), bound: .adam(beta1: 0.9, beta2: 0.999, steps: 10_000))
print("  \(adamWorst)")
check(
    adamWorst.ratio >= 0.99 && adamWorst.respectsBound,
    "Adam reaches \(percent(adamWorst.ratio)) of its bound and never exceeds it")
let asymptoticRatio = adamWorst.observed / HolderBound.adamAsymptotic(beta1: 0.9, beta2: 0.999)
check(
    asymptoticRatio >= 0.99 && asymptoticRatio <= 1 + adamWorst.tolerance,
    "... which is \(percent(asymptoticRatio)) of the t -> infinity bound 7.27")

print("\nTheorem 2 (S3, one beta): |n / b| <= 1 for every gradient sequence and every p >= 1")
let ps: [Float] = [1, 1.5, 2, 3, 4, 8]
for p in ps {
    let constant = try Checks.constructedWorstCase(
        "real S3 p=\(p), constant gradient, 2000 steps", probe: .s3(beta1: 0.95, beta2: 0.95, p: p),
        bound: .s3(beta1: 0.95, beta2: 0.95, p: Double(p), steps: 2000))
    check(
        constant.observed <= 1 + 1e-6 && constant.observed >= 0.99,
        "p=\(p): constant gradient reaches \(String(format: "%.6f", constant.observed)) lr (bound 1)")
    let search = try Checks.adversarialSearch(
        "real S3 p=\(p), adversarial search", probe: .s3(beta1: 0.95, beta2: 0.95, p: p), bound: 1, seed: UInt64(p * 10)
    )
    check(
        search.observed <= 1 + 1e-6,
        "p=\(p): adversarial search (random restarts + hill climbing) peaks at \(String(format: "%.6f", search.observed)) lr"
    )
    for family in try Checks.randomFamilies("S3 p=\(p)", probe: .s3(beta1: 0.95, beta2: 0.95, p: p), bound: 1) {
        check(family.observed <= 1 + 1e-6, "\(family.name) peaks at \(String(format: "%.6f", family.observed)) lr")
    }
}

print("\nAdam on the same searches (bound: the largest bias-corrected bound over the steps)")
let adamSearchBound = Checks.largestBound(steps: 40) { .adam(beta1: 0.9, beta2: 0.999, steps: $0) }
let adamSearch = try Checks.adversarialSearch(
    "real AdamW (0.9, 0.999), adversarial search, 40 steps",
    probe: .adam(beta1: 0.9, beta2: 0.999), bound: adamSearchBound)
print("  \(adamSearch)")
check(adamSearch.respectsBound, "the search stays within the bound")
let adamFamiliesBound = Checks.largestBound(steps: 60) { .adam(beta1: 0.9, beta2: 0.999, steps: $0) }
for family in try Checks.randomFamilies("AdamW", probe: .adam(beta1: 0.9, beta2: 0.999), bound: adamFamiliesBound) {
    check(
        family.respectsBound,
        "\(family.name) peaks at \(String(format: "%.3f", family.observed)) lr (bound \(String(format: "%.3f", family.bound)))"
    )
}

print("\nTheorem 2 with separate coefficients (the paper's ablation): the general bound holds")
for (b1, b2, p, nesterov) in [
    (0.9, 0.99, 2.0, true), (0.9, 0.999, 2.0, false), (0.8, 0.95, 3.0, true), (0.95, 0.9, 4.0, false),
] {
    let t = 300
    let bound = HolderBound.s3(beta1: b1, beta2: b2, p: p, steps: t, nesterov: nesterov)
    let probe = UpdateProbe.s3(beta1: Float(b1), beta2: Float(b2), p: Float(p), nesterov: nesterov)
    let worst = try Checks.constructedWorstCase(
        "S3 (\(b1), \(b2)) p=\(p) nesterov=\(nesterov)", probe: probe, bound: bound)
    let search = try Checks.adversarialSearch("", probe: probe, bound: bound.value, generations: 30)
    check(
        worst.respectsBound && worst.ratio >= 0.99 && search.respectsBound,
        "\(worst.name): bound \(String(format: "%.4f", bound.value)) (t -> inf: \(String(format: "%.4f", nesterov ? bound.value : HolderBound.s3Asymptotic(beta1: b1, beta2: b2, p: p)))), worst case \(String(format: "%.4f", worst.observed)), search \(String(format: "%.4f", search.observed))"
    )
}

print("\nLarger p never gives a larger step on the same history (power-mean inequality)")
let monotone = try Checks.s3UpdateIsMonotoneInP(ps: ps)
check(
    monotone.largestRatio <= 1 + 1e-6,
    "over \(monotone.pairs) (history, p -> next p) pairs the step grew by at most a factor \(String(format: "%.8f", monotone.largestRatio))"
)

print("\nTheorem 3: the three Nesterov forms give the same iterates (quadratic, curvatures 0.1 to 10)")
let nag = try NesterovForms.compare(
    curvatures: [0.1, 0.5, 1, 3, 10], start: [1, -2, 0.5, 3, -1],
    learningRate: 0.05, momentum: 0.9, steps: 200)
check(nag.formIAgainstII < 1e-12, String(format: "form I vs form II (double): %.2e", nag.formIAgainstII))
check(nag.formIIIAgainstII < 1e-12, String(format: "form III vs form II (double): %.2e", nag.formIIIAgainstII))
check(
    nag.realSGDMAgainstII < 1e-5,
    String(format: "real SGDM(nesterov: true) in float32 vs form II: %.2e", nag.realSGDMAgainstII))
check(nag.contraction < 1e-3, String(format: "and the run converges: |y_200| / |y_0| = %.2e", nag.contraction))

print("\nSweep: largest |update| / lr, bound and real optimizer on its constructed worst case (t <= 1000 steps;")
print("fewer where b1 > b2, whose worst case spans more than float32's range)")
let sweepPs = [1.0, 2.0, 3.0, 4.0]
let rows = try Sweep.run(beta1s: [0.8, 0.9, 0.95, 0.99], beta2s: [0.9, 0.95, 0.99, 0.999], ps: sweepPs)
var header = "| b1 | b2 | Adam t->inf | Adam bound | Adam observed |"
var rule = "|---|---|---|---|---|"
for p in sweepPs {
    header += " S3 p=\(Int(p)) bound | observed |"
    rule += "---|---|"
}
print(header)
print(rule)
func cell(_ x: Double) -> String {
    x.isFinite ? (x >= 1e4 ? String(format: "%.2e", x) : String(format: "%.3f", x)) : "inf"
}
for row in rows {
    var line =
        "| \(row.beta1) | \(row.beta2) | \(cell(row.adamAsymptotic)) | \(cell(row.adam.bound)) | \(cell(row.adam.observed)) |"
    if !row.adam.respectsBound { failures.append("sweep: \(row.adam)") }
    for (p, s3) in row.s3 {
        line += " \(cell(s3.bound)) | \(cell(s3.observed)) |"
        if !s3.respectsBound { failures.append("sweep (\(row.beta1), \(row.beta2)) p=\(p): \(s3)") }
        if row.beta1 == row.beta2 && !(s3.bound <= 1 && s3.bound > 0.999 && s3.observed <= 1 + 1e-6) {
            failures.append(
                "sweep (\(row.beta1), \(row.beta2)) p=\(p): equal betas must give a bound of 1, got \(s3.bound)")
        }
    }
    print(line)
}

let seconds = Date().timeIntervalSince(started)
print(String(format: "\n%d checks failed; %.1f s", failures.count, seconds))
if !failures.isEmpty {
    for failure in failures { print("FAILED: \(failure)") }
    exit(1)
}
