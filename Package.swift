// swift-tools-version: 6.2
// Toolchains before 6.2 read Package@swift-6.0.swift instead: the same package with the
// baseline kernels only (their SwiftPM refuses `unsafeFlags` in a dependency).
import PackageDescription

/// One kernel module per x86-64 instruction-set level: the kernels of `_OptimizersKernels`
/// compiled with `-target-cpu`, chosen at run time from CPUID (`InstructionSet`). The flag
/// exists only for x86 targets: other hosts, and builds with `OPTIMIZERS_BASELINE_ONLY` set
/// (cross-compiling from x86-64 to another architecture), leave the modules out.
#if arch(x86_64)
    let levels: [(module: String, cpu: String)] =
        Context.environment["OPTIMIZERS_BASELINE_ONLY"] == nil
        ? [("_OptimizersAVX2", "haswell"), ("_OptimizersAVX512", "skylake-avx512")] : []
#else
    let levels: [(module: String, cpu: String)] = []
#endif

let package = Package(
    name: "swift-s3-optimizers",
    products: [
        .library(name: "Optimizers", targets: ["Optimizers"]),
        .library(name: "Theory", targets: ["Theory"]),
        .executable(name: "theory-check", targets: ["theory-check"]),
        .executable(name: "s3-demo", targets: ["s3-demo"]),
    ],
    targets: [
        .target(name: "_OptimizersShims"),
        .target(name: "_OptimizersKernels", dependencies: ["_OptimizersShims"]),
        .target(
            name: "Optimizers",
            dependencies: ["_OptimizersShims", "_OptimizersKernels"] + levels.map { .target(name: $0.module) }
        ),
        .target(name: "Theory", dependencies: ["Optimizers"]),
        .executableTarget(name: "theory-check", dependencies: ["Theory"]),
        .target(
            name: "Studies", dependencies: ["Optimizers"], exclude: ["Resources/README.md"],
            resources: [.copy("Resources/digits.bin"), .copy("Resources/kjv-genesis-exodus.txt")]
        ),
        .executableTarget(name: "s3-demo", dependencies: ["Studies"]),
        .executableTarget(name: "checkpoint-fuzz", dependencies: ["Optimizers"]),
        .testTarget(name: "StudiesTests", dependencies: ["Studies"]),
        .testTarget(name: "TheoryTests", dependencies: ["Theory", "Optimizers"]),
        .testTarget(
            name: "OptimizersTests", dependencies: ["Optimizers", "_OptimizersKernels"], exclude: ["Fixtures"]),
    ]
        + levels.map { level in
            .target(
                name: level.module, dependencies: ["_OptimizersKernels"],
                swiftSettings: [.unsafeFlags(["-target-cpu", level.cpu])]
            )
        },
    swiftLanguageModes: [.v6]
)
