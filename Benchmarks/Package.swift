// swift-tools-version: 6.1
// Benchmarks for the optimizers, in their own package so that the library itself has no
// dependencies. Run from this folder:
//
//     swift run -c release throughput                                   # G params/s vs streaming loops (JSON lines + table)
//     python3 compare_pytorch.py                                       # every level, side by side with PyTorch
//     swift run -c release checkpoint-throughput                        # checkpoint write/read GB/s
//     swift package --allow-writing-to-package-directory benchmark     # ordo-one/benchmark suite, with malloc counts
//     swift run -c release half-conversion                              # Float <-> Float16 conversion speed
//
// `OPTIMIZERS_ISA=baseline|avx2|avx512` forces the library's level; the streaming loops
// ("roofline") follow it, built per level the same way the library's kernels are.
import PackageDescription

/// `-target-cpu` exists for x86 targets only (see the library's manifest).
#if arch(x86_64)
    func level(_ cpu: String) -> [SwiftSetting] { [.unsafeFlags(["-target-cpu", cpu])] }
#else
    func level(_ cpu: String) -> [SwiftSetting] { [] }
#endif

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
                "RooflineLevels",
            ],
            path: "Benchmarks/OptimizerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "throughput",
            dependencies: [.product(name: "Optimizers", package: "swift-s3-optimizers"), "RooflineLevels"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "checkpoint-throughput",
            dependencies: [.product(name: "Optimizers", package: "swift-s3-optimizers")]
        ),
        .executableTarget(name: "half-conversion", swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "Roofline"),
        .target(name: "RooflineAVX2", dependencies: ["Roofline"], swiftSettings: level("haswell")),
        .target(name: "RooflineAVX512", dependencies: ["Roofline"], swiftSettings: level("skylake-avx512")),
        .target(
            name: "RooflineLevels",
            dependencies: [
                .product(name: "Optimizers", package: "swift-s3-optimizers"), "Roofline", "RooflineAVX2",
                "RooflineAVX512",
            ]
        ),
    ]
)
