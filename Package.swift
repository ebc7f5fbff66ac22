// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-s3-optimizers",
    products: [
        .library(name: "Optimizers", targets: ["Optimizers"]),
    ],
    targets: [
        .target(name: "_OptimizersShims"),
        .target(name: "Optimizers", dependencies: ["_OptimizersShims"]),
        .testTarget(
            name: "OptimizersTests",
            dependencies: ["Optimizers"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
