// swift-tools-version:6.0
import Foundation
import PackageDescription

/// libtorch 2.13.0 comes from PyPI's `torch` wheel: `scripts/bootstrap.sh` unpacks its `torch/include` and
/// `torch/lib` into `.deps/torch` beside this file. The paths are derived from this file's location (no machine
/// paths), and the rpath lets `.build/*/gpz` and the test bundle run without `LD_LIBRARY_PATH`.
/// `GPZ_CUDA=1 swift build` also links `libtorch_cuda` and `libc10_cuda` (present in PyPI's wheel; they need NVIDIA's
/// CUDA runtime libraries at load time); without it the build is CPU-only and asking for CUDA is a clear error.
let torchRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(".deps/torch").path
let torchLib = "\(torchRoot)/lib"
let cuda = ProcessInfo.processInfo.environment["GPZ_CUDA"] == "1"
let torchLibraries: [String] = (cuda ? ["torch_cuda", "c10_cuda"] : []) + ["torch_cpu", "c10"]
/// The libraries are linked by path: the system `-L/usr/lib/...` that pkg-config adds for zlib and libpng comes first
/// and would otherwise pick up a distribution's older libtorch. --no-as-needed keeps libtorch_cuda, whose kernels
/// register themselves at load time, in the link.
let torchLinkFlags: [String] = (cuda ? ["-Xlinker", "--no-as-needed"] : [])
    + torchLibraries.flatMap { (name: String) -> [String] in ["-Xlinker", "\(torchLib)/lib\(name).so"] }
    + ["-Xlinker", "-rpath", "-Xlinker", torchLib]
let torchIncludeFlags: [String] = ["-isystem", "\(torchRoot)/include", "-isystem", "\(torchRoot)/include/torch/csrc/api/include"]
let torchCxxSettings: [CXXSetting] = [.unsafeFlags(torchIncludeFlags)] + (cuda ? [.define("GPZ_WITH_CUDA")] : [])

/// GPZ is layered; each target has one job and depends only on the layers below it:
/// GPZConfig (configuration decoding, YAML hardening, loading, canonical JSON and hashes) → CTorch (C shim over
/// libtorch) → GPZTensor (tensors, autograd, runtime, safetensors) → GPZNN (modules, layers, losses) / GPZOptim
/// (optimisers, schedulers) → GPZData (data sets, roles) → GPZModels → GPZTraining → GPZAnalysis / GPZAttacks
/// (the attacks and their configuration) → GPZScan (the scan: runner, store, plans, cluster steps) → GPZReport
/// (pages, charts, the verdict's words; joined to the scan at one seam, `ScanPublisher`) → gpz (CLI,
/// Sources/GPZCLI). GPZServe (the cloud half served over the Open Inference Protocol, and its edge client) sits
/// beside GPZScan: GPZTensor / GPZData / GPZModels / GPZTraining → GPZServe → gpz. The encoding of the features
/// sent (FP32, FP16, INT8) is GPZTensor's (`FeatureQuantizer`), so that GPZServe's edge and GPZAttacks' attacks
/// share it.
let package = Package(
    name: "GPZ",
    // macOS 14: Hummingbird 2 (under GPZServe) needs it.
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gpz", targets: ["gpz"]),
        .library(name: "GPZConfig", targets: ["GPZConfig"]),
        .library(name: "GPZTensor", targets: ["GPZTensor"]),
        .library(name: "GPZNN", targets: ["GPZNN"]),
        .library(name: "GPZOptim", targets: ["GPZOptim"]),
        .library(name: "GPZData", targets: ["GPZData"]),
        .library(name: "GPZModels", targets: ["GPZModels"]),
        .library(name: "GPZTraining", targets: ["GPZTraining"]),
        .library(name: "GPZAnalysis", targets: ["GPZAnalysis"]),
        .library(name: "GPZAttacks", targets: ["GPZAttacks"]),
        .library(name: "GPZScan", targets: ["GPZScan"]),
        .library(name: "GPZReport", targets: ["GPZReport"]),
        .library(name: "GPZServe", targets: ["GPZServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // `gpz serve` and its client: HTTP server (Hummingbird 2 over SwiftNIO), TLS, HTTP client, metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // Configuration at the bottom: YAML (Yams) or JSON over typed defaults; SHA-256 (swift-crypto) of
        // canonical JSON for the hashes that name stored results.
        .target(
            name: "GPZConfig",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CTorch",
            cxxSettings: torchCxxSettings,
            linkerSettings: [.unsafeFlags(torchLinkFlags)]
        ),
        .target(name: "GPZTensor", dependencies: ["GPZConfig", "CTorch"]),
        .target(name: "GPZNN", dependencies: ["GPZTensor"]),
        .target(name: "GPZOptim", dependencies: ["GPZConfig", "GPZTensor"]),
        // Data sets: Debian's zlib, libpng and libjpeg-turbo (TurboJPEG API) through module maps; .npz via ZIPFoundation.
        .systemLibrary(name: "CGzip", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .target(
            name: "GPZData",
            dependencies: [
                "GPZConfig", "GPZTensor", "CGzip", "CPNG", "CTurboJPEG",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .target(name: "GPZModels", dependencies: ["GPZConfig", "GPZTensor", "GPZNN"]),
        .target(name: "GPZTraining", dependencies: ["GPZConfig", "GPZTensor", "GPZNN", "GPZOptim", "GPZData", "GPZModels"]),
        .target(name: "GPZAnalysis", dependencies: ["GPZConfig", "GPZTensor", "GPZData", "GPZModels"]),
        // The attacks and their configuration (`AttackConfig`), on checkpoints (`AttackStudy`).
        .target(name: "GPZAttacks",
                dependencies: ["GPZConfig", "GPZTensor", "GPZNN", "GPZOptim", "GPZData", "GPZModels", "GPZTraining"]),
        // The scan: the resumable store is SQLite through GRDB.
        .target(
            name: "GPZScan",
            dependencies: [
                "GPZConfig", "GPZTensor", "GPZData", "GPZModels", "GPZTraining", "GPZAnalysis", "GPZAttacks",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The scan's pages, charts and verdict text (plain Swift: SVG and HTML written as text).
        .target(name: "GPZReport", dependencies: ["GPZConfig", "GPZTensor", "GPZData", "GPZModels", "GPZAnalysis", "GPZAttacks", "GPZScan"]),
        // The Open Inference Protocol (KServe v2): the codec is plain Swift (Protocol/); the server is Hummingbird 2
        // with TLS from swift-nio-ssl and Prometheus metrics; the edge's client is AsyncHTTPClient.
        .target(
            name: "GPZServe",
            dependencies: [
                // CGzip: zlib, for gzip / deflate request bodies (`gpz edge --compress`).
                "GPZConfig", "GPZTensor", "GPZData", "GPZModels", "GPZTraining", "CGzip",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "GPZTestSupport", dependencies: ["GPZConfig", "GPZTensor", "GPZData"], path: "Sources/GPZTestSupport"),
        .executableTarget(
            name: "gpz",
            dependencies: [
                "GPZConfig", "GPZTensor", "GPZNN", "GPZOptim", "GPZData", "GPZModels", "GPZTraining", "GPZAnalysis",
                "GPZAttacks", "GPZScan", "GPZReport", "GPZServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/GPZCLI"
        ),
        .testTarget(name: "GPZTensorTests", dependencies: ["GPZTestSupport", "GPZTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GPZNNTests", dependencies: ["GPZTestSupport", "GPZNN"]),
        .testTarget(name: "GPZOptimTests", dependencies: ["GPZTestSupport", "GPZOptim", "GPZNN"]),
        .testTarget(name: "GPZDataTests", dependencies: ["GPZTestSupport", "GPZData", "GPZTensor"]),
        .testTarget(name: "GPZModelsTests", dependencies: ["GPZTestSupport", "GPZModels", "GPZNN", "GPZTensor", "GPZData"]),
        .testTarget(name: "GPZTrainingTests", dependencies: ["GPZTestSupport", "GPZTraining", "GPZData", "GPZModels", "GPZTensor"]),
        .testTarget(name: "GPZAnalysisTests", dependencies: ["GPZTestSupport", "GPZAnalysis", "GPZModels", "GPZTensor"]),
        .testTarget(name: "GPZScanTests",
                    dependencies: ["GPZTestSupport", "GPZConfig", "GPZScan", "GPZReport", "GPZAttacks", "GPZAnalysis", "GPZTraining", "GPZData", "GPZModels", "GPZNN", "GPZTensor"]),
        .testTarget(
            name: "GPZCLITests",
            dependencies: ["gpz", "GPZTestSupport", "GPZConfig", "GPZAnalysis", "GPZScan", "GPZReport", "GPZTraining", "GPZTensor",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "GPZServeTests",
            dependencies: ["GPZServe", "GPZTestSupport", "GPZTraining", "GPZData", "GPZModels", "GPZTensor",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "GPZAttacksTests", dependencies: ["GPZTestSupport", "GPZAttacks", "GPZData", "GPZModels", "GPZNN", "GPZTensor"]),
    ],
    cxxLanguageStandard: .cxx17
)
