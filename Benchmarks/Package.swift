// swift-tools-version: 6.1
// Benchmarks for the optimizers, in their own package so that the library itself has no
// dependencies. Run from this folder:
//
//     swift package --allow-writing-to-package-directory benchmark     # ordo-one/benchmark suite
//     swift run -c release throughput                                   # G params/s table (JSON lines)
//     python3 compare_pytorch.py                                       # side by side with PyTorch
//     swift run -c release half-conversion                              # Float <-> Float16 conversion speed
import PackageDescription

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "swift-s3-optimizers", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "OptimizerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Optimizers", package: "swift-s3-optimizers"),
                "Roofline",
            ],
            path: "Benchmarks/OptimizerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "throughput",
            dependencies: [.product(name: "Optimizers", package: "swift-s3-optimizers"), "Roofline"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(name: "half-conversion", swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "Roofline"),
    ]
)
