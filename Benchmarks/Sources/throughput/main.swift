// Steps per second against the streaming roofline of the same access pattern, for every
// optimizer, the tensor arithmetic and the gradient accumulator, at every size and thread count,
// measured in one run at the library's active instruction-set level (which the output names;
// `OPTIMIZERS_ISA=baseline|avx2|avx512` forces one, and the roofline follows). Prints one JSON
// object per line (read by compare_pytorch.py) and a table.
//
//     swift run -c release throughput [--sizes 1024,65536,16777216] [--threads 1,2] [--quick]
//                                     [--only NAME] [--after-clipping]
//
// `--only` selects the workloads with exactly the given names (comma-separated), or else every
// one whose name contains it.
// `--after-clipping` passes the gradients through `GradientClipping.clipGlobalNorm` once (with a
// threshold above their norm, so nothing is scaled): the tensor is then known to be finite and
// the default check skips its scan, as in a training loop that clips.

import Foundation
import Optimizers
import Roofline
import RooflineLevels

/// Something to time on buffers of `size` elements, against the streaming loop of `shape`.
struct Workload {
    let name: String
    let shape: StreamingLoop
    /// Returns one call of the workload; the returned closure owns its buffers.
    let prepare: (_ size: Int, _ gradients: FlatTensor) throws -> () throws -> Void
}

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let quick = arguments.contains("--quick")
let sizes = option("--sizes").map { $0.split(separator: ",").map { Int($0)! } } ?? [1024, 65_536, 16_777_216]
let cores = ProcessInfo.processInfo.activeProcessorCount
let threadCounts =
    option("--threads").map { $0.split(separator: ",").map { Int($0)! } } ?? Array(Set([1, cores])).sorted()
let only = option("--only")
let afterClipping = arguments.contains("--after-clipping")
let level = InstructionSet.active
let streaming = StreamingTable.active

/// An optimizer step on tensors, with or without the gradient check.
func step(
    _ name: String, _ shape: StreamingLoop, check: Bool = true, _ make: @escaping () throws -> any StatefulOptimizer
) -> Workload {
    Workload(name: name + (check ? "" : " (no check)"), shape: shape) { size, gradients in
        var optimizer = try make()
        optimizer.gradientCheck = check ? .rejectNonFinite : .assumeFinite
        var parameters = FlatTensor(repeating: 0.5, count: size)
        return { try optimizer.step(parameters: &parameters, gradients: gradients) }
    }
}

/// An optimizer step on memory the caller owns (arrays), without the check.
func callerMemoryStep(_ name: String, _ shape: StreamingLoop, _ make: @escaping () throws -> any StatefulOptimizer)
    -> Workload
{
    Workload(name: name + " (caller memory, no check)", shape: shape) { size, gradients in
        var optimizer = try make()
        optimizer.gradientCheck = .assumeFinite
        let parameters = UnsafeMutableBufferPointer<Float>.allocate(capacity: size)
        parameters.initialize(repeating: 0.5)
        let g = UnsafeMutableBufferPointer<Float>.allocate(capacity: size)
        _ = g.initialize(from: gradients)
        return { try optimizer.step(parameters: parameters, gradients: UnsafeBufferPointer(g)) }
    }
}

let adamShape = StreamingLoop(readOnly: 1, readWrite: 3)
let oneState = StreamingLoop(readOnly: 1, readWrite: 2)
var optimizers: [(String, StreamingLoop, () throws -> any StatefulOptimizer)] = [
    ("SGDM", oneState, { try SGDM(learningRate: 1e-3) }),
    ("AdamW", adamShape, { try AdamW(learningRate: 1e-3) }),
    ("AdamW amsgrad", StreamingLoop(readOnly: 1, readWrite: 4), { try AdamW(learningRate: 1e-3, amsgrad: true) }),
    ("AdamW bf16", oneState, { try AdamW(learningRate: 1e-3, momentPrecision: .bfloat16) }),
    ("NAdam", adamShape, { try NAdam(learningRate: 1e-3) }),
    ("Lion", oneState, { try Lion(learningRate: 1e-4) }),
    ("Adan", StreamingLoop(readOnly: 1, readWrite: 5), { try Adan(learningRate: 1e-3) }),
]
for p: Float in [1, 2, 3, 4, 2.5] {
    optimizers.append(
        ("S3 p=\(p == p.rounded() ? String(Int(p)) : String(p))", adamShape, { try S3(learningRate: 3e-3, p: p) }))
}
for p: Float in [1, 3] {  // bfloat16 moments: one 32-bit state slot per parameter, SGDM's access pattern
    optimizers.append(
        ("S3 p=\(Int(p)) bf16", oneState, { try S3(learningRate: 3e-3, p: p, momentPrecision: .bfloat16) }))
}

var workloads = optimizers.flatMap { name, shape, make in
    [step(name, shape, make), step(name, shape, check: false, make)]
}
workloads += [
    callerMemoryStep("AdamW", adamShape) { try AdamW(learningRate: 1e-3) },
    callerMemoryStep("S3 p=3", adamShape) { try S3(learningRate: 3e-3) },
]
/// In-place tensor arithmetic on a tensor of `size` elements.
func tensor(_ name: String, _ shape: StreamingLoop, _ body: @escaping (inout FlatTensor, FlatTensor) throws -> Void)
    -> Workload
{
    Workload(name: name, shape: shape) { size, gradients in
        var x = FlatTensor(repeating: 0.5, count: size)
        return { try body(&x, gradients) }
    }
}
workloads += [
    tensor("FlatTensor.zero", StreamingLoop(readOnly: 0, readWrite: 0, writeOnly: 1)) { x, _ in x.zero() },
    tensor("FlatTensor.scale", StreamingLoop(readOnly: 0, readWrite: 1)) { x, _ in x.scale(by: 0.999) },
    tensor("FlatTensor.add", StreamingLoop(readOnly: 1, readWrite: 1)) { x, g in try x.add(g, scaledBy: 1e-3) },
    // Element by element through the subscript, as a hand-written gradient loop does (one
    // thread; compare with FlatTensor.zero and FlatTensor.add at one thread).
    tensor("FlatTensor subscript writes", StreamingLoop(readOnly: 0, readWrite: 0, writeOnly: 1)) { x, _ in
        for i in x.indices { x[i] = 0.25 }
    },
    Workload(name: "Array subscript writes", shape: StreamingLoop(readOnly: 0, readWrite: 0, writeOnly: 1)) {
        size, _ in
        var x = [Float](repeating: 0.5, count: size)
        return { for i in x.indices { x[i] = 0.25 } }
    },
    tensor("FlatTensor subscript x[i] += g[i]", StreamingLoop(readOnly: 1, readWrite: 1)) { x, g in
        for i in x.indices { x[i] += g[i] }
    },
    Workload(name: "GradientAccumulator.add (4 micro-batches)", shape: StreamingLoop(readOnly: 1, readWrite: 1)) {
        size, g in
        var accumulator = try GradientAccumulator(parameterCount: size, microBatches: 4)
        try accumulator.add(g)  // past the first micro-batch (a copy): measure the adds and the final divide
        return { try accumulator.add(g) }
    },
]
let names = only.map { Set($0.split(separator: ",").map(String.init)) } ?? []
let selected =
    workloads.contains { names.contains($0.name) }
    ? workloads.filter { names.contains($0.name) }
    : workloads.filter { only == nil || $0.name.contains(only!) }

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
    rethrows -> (seconds: Double, reference: Double, ratio: Double)
{
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

print(
    "instruction set: \(level.rawValue) (\(level.vectorWidth) lanes); available: \(InstructionSet.available.map(\.rawValue))"
)
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
        for workload in selected {
            let shape = workload.shape
            let buffers = shape.makeBuffers(count: size)
            defer { buffers.forEach { $0.deallocate() } }
            let call = try workload.prepare(size, gradients)
            let result = try measure(samples: samples, repeats: repeats, call) {
                shape.run(buffers, count: size, threads: rooflineThreads, table: streaming)
            }
            emit([
                "workload": workload.name, "level": level.rawValue, "size": size, "threads": threads,
                "afterClipping": afterClipping, "gparams": Double(size) / result.seconds / 1e9,
                "roofline": Double(size) / result.reference / 1e9, "ofRoofline": result.ratio,
                "nanoseconds": result.seconds * 1e9, "rooflineNanoseconds": result.reference * 1e9,
                "bytesPerElement": shape.bytesPerElement,
            ])
            rows.append(
                (
                    workload.name + (afterClipping ? " (after clipping)" : ""), size, threads,
                    Double(size) / result.seconds / 1e9, result.ratio, result.seconds * 1e9, result.reference * 1e9
                ))
        }
    }
}
print("\n\(level.rawValue):\n")
print("| workload | size | threads | G elements/s | of roofline | ns/call | roofline ns/call |")
print("|---|---|---|---|---|---|---|")
for (name, size, threads, rate, fraction, ns, limitNs) in rows {
    print(
        String(
            format: "| %@ | %d | %d | %.3f | %.0f%% | %.0f | %.0f |", name, size, threads, rate, 100 * fraction, ns,
            limitNs))
}
