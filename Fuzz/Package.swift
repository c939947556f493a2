// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for GPZ's parsers, kept apart from the main package so its build and `swift test` are
/// untouched. Build and run with `Fuzz/fuzz.sh` (it passes `-sanitize=fuzzer`, which instruments every module,
/// GPZ's readers included, and links libFuzzer's `main`).
let package = Package(
    name: "GPZFuzz",
    dependencies: [.package(name: "GPZ", path: "..")],
    targets: [
        .executableTarget(
            name: "GPZFuzz",
            dependencies: [
                .product(name: "GPZData", package: "GPZ"),
                .product(name: "GPZTensor", package: "GPZ"),
                .product(name: "GPZTraining", package: "GPZ"),
                .product(name: "GPZConfig", package: "GPZ"),
                .product(name: "GPZScan", package: "GPZ"),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
