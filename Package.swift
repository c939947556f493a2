// swift-tools-version:6.0
import PackageDescription

/// GPZ is layered; each target has one job and depends only on the layers below it:
/// CTorch (C shim over libtorch) → GPZTensor (tensors, autograd, runtime, safetensors)
/// → GPZNN (modules, layers, losses, initialisers) → GPZOptim (optimisers, schedulers) → gpz (CLI).
let package = Package(
    name: "GPZ",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "gpz", targets: ["gpz"]),
        .library(name: "GPZTensor", targets: ["GPZTensor"]),
        .library(name: "GPZNN", targets: ["GPZNN"]),
        .library(name: "GPZOptim", targets: ["GPZOptim"]),
        .library(name: "GPZModels", targets: ["GPZModels"]),
        .library(name: "GPZAttacks", targets: ["GPZAttacks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CTorch",
            linkerSettings: [
                .linkedLibrary("torch"), .linkedLibrary("torch_cpu"), .linkedLibrary("c10"),
            ]
        ),
        .target(name: "GPZTensor", dependencies: ["CTorch"]),
        .target(name: "GPZNN", dependencies: ["GPZTensor"]),
        .target(name: "GPZOptim", dependencies: ["GPZTensor"]),
        .target(name: "GPZModels", dependencies: ["GPZTensor", "GPZNN"]),
        .target(name: "GPZAttacks", dependencies: ["GPZTensor", "GPZNN", "GPZOptim", "GPZModels"]),
        .executableTarget(
            name: "gpz",
            dependencies: [
                "GPZTensor", "GPZNN", "GPZOptim", "GPZModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/GPZCLI"
        ),
        .testTarget(name: "GPZTensorTests", dependencies: ["GPZTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GPZNNTests", dependencies: ["GPZNN"]),
        .testTarget(name: "GPZOptimTests", dependencies: ["GPZOptim", "GPZNN"]),
        .testTarget(name: "GPZModelsTests", dependencies: ["GPZModels", "GPZNN", "GPZTensor"]),
        .testTarget(name: "GPZAttacksTests", dependencies: ["GPZAttacks", "GPZModels", "GPZNN", "GPZTensor"]),
    ],
    cxxLanguageStandard: .cxx17
)
