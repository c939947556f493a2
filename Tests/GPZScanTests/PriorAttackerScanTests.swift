import Foundation
import GPZAttacks
import GPZConfig
import GPZReport
import GPZData
import GPZModels
import GPZNN
import GPZScan
import GPZTensor
import GPZTestSupport
import GPZTraining
import XCTest

/// The prior attackers on an exported (TorchScript) model: their gradients flow through the exported edge stages,
/// and a scan trains their prior on the attacker's images only.
final class PriorAttackerScanTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = try makeTemporaryDirectory("gpz-prior-scan")
        try Runtime.manualSeed(7)
    }

    private func smallViT() throws -> URL {
        try PythonExporter.export("small-vit", ["--factory", "python/gpz_models.py:small_vit", "--kwargs",
                                                #"{"img_size": 16, "patch": 4, "channels": 3, "classes": 5}"#,
                                                "--input", "3,16,16", "--classes", "5"])
    }

    /// The white-box objective's directional derivative in the latent, from backward through the generator and an
    /// exported edge stage, matches a central finite difference.
    func testWhiteBoxGradientsAgreeWithFiniteDifferencesThroughAnExportedStage() throws {
        let (model, _) = try ScriptArchive.load(try smallViT())
        model.eval()
        let split = model.splitPoints[1]
        let prior = try ImagePrior(settings: ImagePriorSettings(latent: 6, epochs: 1, finetune: 0),
                                   imageChannels: 3, imageSize: 16)
        prior.eval()
        let decoder = try InversionDecoder(for: split, prior: prior)
        decoder.eval()
        let generator = try XCTUnwrap(decoder.generator)
        let observed = try withNoGrad { try model.edge(try Tensor.rand([2, 3, 16, 16]), upTo: split.index) }
        let search = PriorWhiteBoxInversion(iterations: 1)
        func objective(_ w: Tensor) throws -> Tensor {
            try search.objective(latent: w, generator: generator, observed: observed, target: model, split: split.index,
                                 normalizeInput: { $0 }).total
        }
        let start = try Tensor.randn([2, 6])
        let direction = try Tensor.randn([2, 6])
        let w = try start.requiringGrad()
        try objective(w).backward()
        let analytic = try (try XCTUnwrap(w.grad) * direction).sum().item()
        let epsilon = 1e-2
        let numeric = try withNoGrad {
            (try objective(try start + direction * epsilon).item() - (try objective(try start - direction * epsilon).item()))
                / (2 * epsilon)
        }
        XCTAssertNotEqual(analytic, 0)
        XCTAssertEqual(numeric, analytic, accuracy: 0.02 * Swift.abs(analytic))
    }

    /// A scan with the white-box prior attacker: its prior is trained on exactly the attacker's training images
    /// (the aux images less the validation hold-out: same membership hash and count), which share no image with
    /// the target's training images or the private images; every attacked split gets finite metrics.
    func testAScanTrainsThePriorOnTheAttackersImagesOnly() throws {
        let (out, result) = try runTinyScan(in: work, attack: "{epochs: 1, batch: 16, evaluate_limit: 10, attacker: prior-whitebox, seeds: 1, ladder: [], splits: \"3,logits\", rmle_images: 4, rmle_iterations: 3, prior: {latent: 8, epochs: 1}}")
        XCTAssertTrue(result.stderr.contains("image prior"), result.stderr)
        let results = try ResultsJSON.decoder().decode(ScanResults.self,
                                                       from: Data(contentsOf: ScanRunner.resultsURL(out)))
        let attacked = results.splits.compactMap(\.attack)
        XCTAssertEqual(attacked.count, 2)
        XCTAssertTrue(attacked.allSatisfy { $0.mse.isFinite && $0.images == 4 })

        let targets = work.appendingPathComponent("targets")
        let checkpoint = try XCTUnwrap(try FileManager.default.contentsOfDirectory(at: targets, includingPropertiesForKeys: nil)
            .first { try CheckpointStore.readInfo($0) != nil })
        let info = try XCTUnwrap(try CheckpointStore.readInfo(checkpoint))
        var attack = AttackConfig()
        attack.evaluateLimit = 10
        let roles = try AttackData(info: info, config: attack)
        let priors = try FileManager.default.contentsOfDirectory(at: targets.appendingPathComponent("priors"),
                                                                 includingPropertiesForKeys: nil)
        XCTAssertEqual(priors.count, 1, "one prior for the aux set, shared by the splits")
        let metadata = try Safetensors.read(from: try XCTUnwrap(priors.first)).metadata
        let report = try JSONDecoder().decode(ImagePrior.Report.self, from: Data(try XCTUnwrap(metadata["report"]).utf8))
        XCTAssertEqual(report.aux, roles.aux.membershipHash)
        XCTAssertEqual(report.images, roles.aux.count)
        let (trained, _) = try info.trainedRoles()
        XCTAssertEqual(roles.aux.source, trained.train.source)
        XCTAssertTrue(Set(roles.aux.indices).isDisjoint(with: trained.train.indices), "aux ∩ target training")
        if trained.privateSet.source == roles.aux.source {
            XCTAssertTrue(Set(roles.aux.indices).isDisjoint(with: trained.privateSet.indices), "aux ∩ private")
        }
    }
}
