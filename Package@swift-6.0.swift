// swift-tools-version: 6.0
// The manifest of Swift 6.0 and 6.1 (Package.swift needs 6.2): the same package with the
// baseline kernels only, because their SwiftPM refuses `unsafeFlags` in a dependency. Keep the
// targets in step with Package.swift (`.ci/run` builds this manifest too).
import PackageDescription

let levels: [(module: String, cpu: String)] = []

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
