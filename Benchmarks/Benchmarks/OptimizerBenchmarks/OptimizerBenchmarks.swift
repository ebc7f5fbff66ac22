// The ordo-one/benchmark suite: every optimizer and the streaming roofline of its access
// pattern, at 1K, 64K and 16M parameters, on one thread and on all cores, with wall clock,
// throughput and malloc counts (which must be 0 per step: the first step, which allocates the
// state, runs before the measurement starts).
//
//     cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
//     swift package benchmark --filter "AdamW.*16M"      # a subset

import Benchmark
import Foundation
import Optimizers
import Roofline
import RooflineLevels

let benchmarks: @Sendable () -> Void = {
    let sizes: [(String, Int)] = [("1K", 1 << 10), ("64K", 1 << 16), ("16M", 1 << 24)]
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let threadCounts = Array(Set([1, cores])).sorted()
    let adamShape = StreamingLoop(readOnly: 1, readWrite: 3)
    let optimizers: [(String, StreamingLoop, () throws -> any Optimizer)] = [
        ("SGDM", StreamingLoop(readOnly: 1, readWrite: 2), { try SGDM(learningRate: 1e-3) }),
        ("AdamW", adamShape, { try AdamW(learningRate: 1e-3) }),
        ("AdamW amsgrad", StreamingLoop(readOnly: 1, readWrite: 4), { try AdamW(learningRate: 1e-3, amsgrad: true) }),
        ("NAdam", adamShape, { try NAdam(learningRate: 1e-3) }),
        ("Lion", StreamingLoop(readOnly: 1, readWrite: 2), { try Lion(learningRate: 1e-4) }),
        ("Adan", StreamingLoop(readOnly: 1, readWrite: 5), { try Adan(learningRate: 1e-3) }),
        ("S3 p=1", adamShape, { try S3(learningRate: 3e-3, p: 1) }),
        ("S3 p=2", adamShape, { try S3(learningRate: 3e-3, p: 2) }),
        ("S3 p=3", adamShape, { try S3(learningRate: 3e-3, p: 3) }),
        ("S3 p=4", adamShape, { try S3(learningRate: 3e-3, p: 4) }),
        ("S3 p=2.5", adamShape, { try S3(learningRate: 3e-3, p: 2.5) }),
    ]

    for (sizeName, size) in sizes {
        let large = size >= 1 << 22
        for threads in threadCounts {
            let configuration = Benchmark.Configuration(
                metrics: [.wallClock, .throughput, .mallocCountTotal],
                timeUnits: .microseconds,
                warmupIterations: large ? 1 : 10,
                scalingFactor: .one,
                maxDuration: .seconds(large ? 3 : 1),
                maxIterations: large ? 30 : 100_000)

            for (name, _, make) in optimizers {
                Benchmark("\(name) \(sizeName) \(threads)t", configuration: configuration) { benchmark in
                    Parallelism.maximumThreadCount = threads
                    var optimizer = try make()
                    var parameters = FlatTensor(repeating: 0.5, count: size)
                    let gradients = FlatTensor((0..<size).map { Float($0 % 2001) * 1e-3 - 1 })
                    try optimizer.step(parameters: &parameters, gradients: gradients)  // allocates the state
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        try optimizer.step(parameters: &parameters, gradients: gradients)
                    }
                    benchmark.stopMeasurement()
                    blackHole(parameters)
                }
            }

            // Memory the caller owns (arrays), stepped in place: the same kernels, no copies.
            for (name, _, make) in optimizers where name == "AdamW" || name == "S3 p=3" {
                Benchmark("\(name) caller memory \(sizeName) \(threads)t", configuration: configuration) { benchmark in
                    Parallelism.maximumThreadCount = threads
                    var optimizer = try make()
                    var parameters = [Float](repeating: 0.5, count: size)
                    let gradients = (0..<size).map { Float($0 % 2001) * 1e-3 - 1 }
                    try gradients.withUnsafeBufferPointer { g in
                        try parameters.withUnsafeMutableBufferPointer { x in
                            try optimizer.step(parameters: x, gradients: g)  // allocates the state
                            benchmark.startMeasurement()
                            for _ in benchmark.scaledIterations { try optimizer.step(parameters: x, gradients: g) }
                            benchmark.stopMeasurement()
                        }
                    }
                    blackHole(parameters)
                }
            }

            for readWrite in Set(optimizers.map(\.1.readWrite)).sorted() {
                let shape = StreamingLoop(readOnly: 1, readWrite: readWrite)
                Benchmark(
                    "roofline r\(1 + readWrite)w\(readWrite) \(sizeName) \(threads)t", configuration: configuration
                ) { benchmark in
                    let buffers = shape.makeBuffers(count: size)
                    defer { buffers.forEach { $0.deallocate() } }
                    shape.run(buffers, count: size, threads: threads, table: .active)
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        shape.run(buffers, count: size, threads: threads, table: .active)
                    }
                    benchmark.stopMeasurement()
                }
            }
        }
    }
}
