import Foundation
import GPZTestSupport
import XCTest

/// A 16 px RGB data set of 5 classes × 30 images (a class-coloured square on seeded noise, 40 test images) and a
/// one-epoch cnn4 (width 8) scan of it with the attack section `attack` (YAML flow mapping); returns the run
/// directory and the process result, after asserting it exited 0.
func runTinyScan(in work: URL, attack: String, name: String = "tiny") throws
    -> (URL, (status: Int32, stdout: String, stderr: String)) {
    let data = work.appendingPathComponent("rgb.npz")
    if !FileManager.default.fileExists(atPath: data.path) {
        let script = """
            import sys, numpy as np
            rng = np.random.default_rng(0)
            labels = np.repeat(np.arange(5), 30)
            images = rng.integers(0, 60, size=(labels.size, 16, 16, 3)).astype(np.uint8)
            for i, c in enumerate(labels):
                images[i, 4:12, 4:12, int(c) % 3] += 40 * (int(c) + 1)
            np.savez(sys.argv[1], x_train=images, y_train=labels.astype(np.int64), x_test=images[:40], y_test=labels[:40].astype(np.int64))
            """
        let written = try PythonExporter.run(["-c", script, data.path])
        XCTAssertEqual(written.status, 0, written.stderr)
    }
    let config = work.appendingPathComponent("\(name).yaml")
    try """
        name: \(name)
        target: {architecture: cnn4, dataset: "npz:\(data.path)", epochs: 1, batch: 16, cnn4_width: 8, image_size: 16}
        analysis: {sample: 32, bootstrap: 2}
        attack: \(attack)
        """.write(to: config, atomically: true, encoding: .utf8)
    let out = work.appendingPathComponent(name)
    let result = try GPZExecutable.run(["scan", "--config", config.path, "--out", out.path,
                                        "--targets", work.appendingPathComponent("targets").path], besides: TinyScanAnchor.self)
    XCTAssertEqual(result.status, 0, result.stderr)
    return (out, result)
}

/// A class in the test bundle, for `GPZExecutable.run(besides:)`.
final class TinyScanAnchor {}
