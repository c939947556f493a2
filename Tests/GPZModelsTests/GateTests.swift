import Foundation
import GPZTestSupport
import XCTest

/// The gate list of Sources/GPZTestSupport/Gates.swift: what an unmet gate does with and without
/// `GPZ_REQUIRE_GATES=1`, and that docs/testing.md lists every gate as the code defines it.
final class GateTests: XCTestCase {
    func testAnUnmetRequiredGateSkipsAndFailsOnlyWhenRequired() {
        let gate = Gate.mnist5k
        XCTAssertEqual(gate.outcome(unmetBecause: "x not found", requireGates: false),
                       .skip("gate mnist-5k not met: x not found (provided by \(gate.providedBy))"))
        XCTAssertEqual(gate.outcome(unmetBecause: "x not found", requireGates: true),
                       .fail("gate mnist-5k not met: x not found (provided by \(gate.providedBy)); "
                             + "GPZ_REQUIRE_GATES=1 makes this a failure"))
    }

    func testAnUnmetOptionalGateAlwaysSkips() {
        let gate = Gate.noCUDADevice
        XCTAssertEqual(gate.kind, .optional)
        for required in [false, true] {
            guard case .skip(let message) = gate.outcome(unmetBecause: "2 CUDA devices", requireGates: required) else {
                return XCTFail("an optional gate does not fail")
            }
            XCTAssertTrue(message.hasSuffix("; an optional gate"), message)
        }
    }

    func testAMetGateGoesOn() {
        let met = Gate(name: "always", kind: .required, checks: "nothing", providedBy: "nothing") { _ in nil }
        XCTAssertEqual(met.outcome(for: Self.self, requireGates: true), .met)
        let unmet = Gate(name: "never", kind: .required, checks: "nothing", providedBy: "nothing") { _ in "no" }
        XCTAssertEqual(unmet.outcome(for: Self.self, requireGates: true),
                       .fail("gate never not met: no (provided by nothing); GPZ_REQUIRE_GATES=1 makes this a failure"))
    }

    /// Only the CUDA gate may be unmet on a bootstrapped CPU machine; each name is listed once, and docs/testing.md
    /// has a row for each gate with its kind.
    func testTheListAndItsDocumentationAgree() throws {
        XCTAssertEqual(Gate.all.map(\.name), ["fashion-mnist", "mnist-5k", "slurm", "root", "python-env",
                                              "tritonclient", "openssl", "gpz-executable", "no-cuda-device"])
        XCTAssertEqual(Gate.all.filter { $0.kind == .optional }.map(\.name), ["no-cuda-device"])
        let doc = try String(contentsOf: PythonExporter.root.appendingPathComponent("docs/testing.md"), encoding: .utf8)
        for gate in Gate.all {
            XCTAssertTrue(doc.contains("| `\(gate.name)` | \(gate.kind.rawValue) |"),
                          "docs/testing.md has no row for \(gate.name) (\(gate.kind.rawValue))")
        }
    }
}
