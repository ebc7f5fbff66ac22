// swift-tools-version: 6.0
import PackageDescription

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
        .target(name: "Optimizers", dependencies: ["_OptimizersShims"]),
        .target(name: "Theory", dependencies: ["Optimizers"]),
        .executableTarget(name: "theory-check", dependencies: ["Theory"]),
        .target(name: "Studies", dependencies: ["Optimizers"], exclude: ["Resources/README.md"],
                resources: [.copy("Resources/digits.bin"), .copy("Resources/kjv-genesis-exodus.txt")]),
        .executableTarget(name: "s3-demo", dependencies: ["Studies"]),
        .testTarget(name: "StudiesTests", dependencies: ["Studies"]),
        .testTarget(name: "TheoryTests", dependencies: ["Theory", "Optimizers"]),
        .testTarget(
            name: "OptimizersTests",
            dependencies: ["Optimizers"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
