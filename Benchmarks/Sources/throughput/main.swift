// Optimizer steps per second against the streaming roofline of the same access pattern, for
// every optimizer, size and thread count, measured in one run. Prints one JSON object per line
// (read by compare_pytorch.py) and a table.
//
//     swift run -c release throughput [--sizes 1024,65536,16777216] [--threads 1,2] [--quick]
//                                     [--only NAME] [--after-clipping]
//
// `--only` selects the configuration with exactly that name, or else every one whose name contains it.
//
// `--after-clipping` passes the gradients through `GradientClipping.clipGlobalNorm` once (with a
// threshold above their norm, so nothing is scaled): the buffer is then known to be finite and
// the default check skips its scan, as in a training loop that clips.

import Foundation
import Optimizers
import Roofline

struct Config {
    let name: String
    let shape: StreamingLoop
    let make: () throws -> any Optimizer
}

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let quick = arguments.contains("--quick")
let sizes = option("--sizes").map { $0.split(separator: ",").map { Int($0)! } } ?? [1024, 65_536, 16_777_216]
let cores = ProcessInfo.processInfo.activeProcessorCount
let threadCounts = option("--threads").map { $0.split(separator: ",").map { Int($0)! } } ?? Array(Set([1, cores])).sorted()
let only = option("--only")
let afterClipping = arguments.contains("--after-clipping")

let adamShape = StreamingLoop(readOnly: 1, readWrite: 3)
let configs: [Config] = [
    Config(name: "SGDM", shape: StreamingLoop(readOnly: 1, readWrite: 2)) { try SGDM(learningRate: 1e-3) },
    Config(name: "AdamW", shape: adamShape) { try AdamW(learningRate: 1e-3) },
    Config(name: "AdamW bf16", shape: StreamingLoop(readOnly: 1, readWrite: 2)) {
        try AdamW(learningRate: 1e-3, momentPrecision: .bfloat16)
    },
    Config(name: "NAdam", shape: adamShape) { try NAdam(learningRate: 1e-3) },
    Config(name: "Lion", shape: StreamingLoop(readOnly: 1, readWrite: 2)) { try Lion(learningRate: 1e-4) },
    Config(name: "Adan", shape: StreamingLoop(readOnly: 1, readWrite: 5)) { try Adan(learningRate: 1e-3) },
] + ([1, 2, 3, 4, 2.5] as [Float]).map { p in
    Config(name: "S3 p=\(p == p.rounded() ? String(Int(p)) : String(p))", shape: adamShape) { try S3(learningRate: 3e-3, p: p) }
} + ([1, 3] as [Float]).map { p in
    // bfloat16 moments: one 32-bit state slot per parameter, the access pattern of SGDM.
    Config(name: "S3 p=\(Int(p)) bf16", shape: StreamingLoop(readOnly: 1, readWrite: 2)) {
        try S3(learningRate: 3e-3, p: p, momentPrecision: .bfloat16)
    }
}
let selected = configs.contains { $0.name == only } ? configs.filter { $0.name == only }
    : configs.filter { only == nil || $0.name.contains(only!) }

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Seconds per call of `body` and of `reference`, sampled alternately (`repeats` calls per
/// sample) so that both see the same machine: the host is shared and its memory bandwidth
/// drifts by tens of percent within a minute. Returns the medians and the median of the
/// per-sample ratios `reference / body`.
func measure(samples: Int, repeats: Int, _ body: () throws -> Void, against reference: () -> Void)
    rethrows -> (seconds: Double, reference: Double, ratio: Double) {
    try body()  // warm up (and allocate state)
    reference()
    var times: [(Double, Double)] = []
    for _ in 0..<samples {
        var start = now()
        for _ in 0..<repeats { reference() }
        let referenceTime = now() - start
        start = now()
        for _ in 0..<repeats { try body() }
        times.append(((now() - start) / Double(repeats), referenceTime / Double(repeats)))
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    return (median(times.map(\.0)), median(times.map(\.1)), median(times.map { $0.1 / $0.0 }))
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

var rows: [(String, Int, Int, Double, Double, Double, Double)] = []
for size in sizes {
    let repeats = max(1, 4_000_000 / size)
    let samples = quick ? 5 : (size >= 1 << 22 ? 11 : 21)
    var rng = SystemRandomNumberGenerator()
    var gradients = FlatTensor((0..<size).map { _ in Float.random(in: -1...1, using: &rng) })
    if afterClipping { try GradientClipping.clipGlobalNorm(&gradients, maxNorm: .greatestFiniteMagnitude) }
    for threads in threadCounts {
        Parallelism.maximumThreadCount = threads
        // The roofline splits its range by the library's rule, so small buffers stay on one thread.
        let rooflineThreads = min(threads, max(1, size / Parallelism.minimumElementsPerThread))
        for config in selected {
            let shape = config.shape
            let buffers = shape.makeBuffers(count: size)
            defer { buffers.forEach { $0.deallocate() } }
            for check in [GradientCheck.rejectNonFinite, .assumeFinite] {
                var optimizer = try config.make()
                if var stateful = optimizer as? any StatefulOptimizer {
                    stateful.gradientCheck = check
                    optimizer = stateful
                }
                var parameters = FlatTensor(repeating: 0.5, count: size)
                let result = try measure(samples: samples, repeats: repeats, {
                    try optimizer.step(parameters: &parameters, gradients: gradients)
                }, against: { shape.run(buffers, count: size, threads: rooflineThreads) })
                emit(["optimizer": config.name, "size": size, "threads": threads, "check": check == .rejectNonFinite,
                      "afterClipping": afterClipping,
                      "gparams": Double(size) / result.seconds / 1e9, "roofline": Double(size) / result.reference / 1e9,
                      "ofRoofline": result.ratio, "nanoseconds": result.seconds * 1e9,
                      "rooflineNanoseconds": result.reference * 1e9, "bytesPerElement": shape.bytesPerElement])
                let label = check == .assumeFinite ? " (no check)" : afterClipping ? " (after clipping)" : ""
                rows.append((config.name + label, size, threads,
                             Double(size) / result.seconds / 1e9, result.ratio, result.seconds * 1e9, result.reference * 1e9))
            }
        }
    }
}
print("\n| optimizer | size | threads | G params/s | of roofline | ns/step | roofline ns/step |")
print("|---|---|---|---|---|---|---|")
for (name, size, threads, rate, fraction, ns, limitNs) in rows {
    print(String(format: "| %@ | %d | %d | %.3f | %.0f%% | %.0f | %.0f |", name, size, threads, rate, 100 * fraction, ns, limitNs))
}
