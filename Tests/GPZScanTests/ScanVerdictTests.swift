import Foundation
import GPZAnalysis
@testable import GPZAttacks
import GPZModels
@testable import GPZReport
@testable import GPZScan
import XCTest

/// `ScanVerdict.recommend` (the post-hoc boundary, else the logits as "no partition", else none) and the worst
/// case over attackers of a plan.
final class ScanVerdictTests: XCTestCase {
    /// Four block candidates s1…s4 and the logits (split 5); the class-mean image's MSE is 0.1, so a split's
    /// leakage is L = max(0, 1 − 10·MSE) of its best decoder and it protects when that and every deeper split's
    /// are at most 0.1 (MSE 0.09 on) and its own attack beat the floor (MSE below 0.1).
    private let classMeanMSE = 0.1
    private let threshold = 0.1

    /// The rows, the zone (the share falls most into `zoneSplit`) and the leakage of `mse[split]` (per seed) at
    /// the attacked splits.
    private func verdict(mse: [Int: [Double]], zoneSplit: Int = 3) throws
        -> (splits: [ScanSplit], zone: StableZone, leakage: LeakageBoundary?) {
        let names = ["s1", "s2", "s3", "s4", "logits"]
        var share = [0.8, 0.75, 0.7, 0.65, 0.2]
        share[zoneSplit - 1] = 0.3
        for later in zoneSplit..<4 { share[later] = 0.3 - 0.01 * Double(later - zoneSplit + 1) }
        let zone = try StableZoneLocator.locate(criterion: .intraClassShare, candidates: [1, 2, 3, 4],
                                                names: Array(names.prefix(4)), values: Array(share.prefix(4)),
                                                replicates: [])
        let attacked = mse.keys.sorted()
        let leakage = attacked.isEmpty ? nil : try LeakageBoundary(outcomes: attacked.map { index in
            (index: index, name: names[index - 1], candidate: index < 5, isLogits: index == 5,
             mse: ["decoder": mse[index]!])
        }, classMeanMSE: classMeanMSE, threshold: threshold)
        let splits = try (1...5).map { index -> ScanSplit in
            let shape = index == 5 ? [10] : [4, 8 >> (index - 1), 8 >> (index - 1)]
            let statistics = try ReportFixture.statistics(index: index, name: names[index - 1], shape: shape,
                                                          meanRadius: 10, share: share[index - 1])
            let cost = SplitCost(split: SplitPoint(index: index, name: names[index - 1], shape: shape,
                                                   kind: SplitKind(perSampleShape: shape)),
                                 edgeParameters: 10 * index, parameterShare: Double(index) / 5, edgeMACs: 100 * index)
            let attack = mse[index].map {
                SplitAttackResult(name: names[index - 1], index: index, shape: shape, mse: $0[0], mseSumChannels: $0[0],
                                  psnr: -10 * log10($0[0]), ssim: 0.5, cosine: 0.9, mseStd: 0.01, psnrStd: 1,
                                  ssimStd: 0.1, images: 100, accuracyWithDefense: nil, grid: nil)
            }
            return ScanSplit(statistics: statistics, bounds: EntropyBounds(statistics), cost: cost, attack: attack,
                             leakage: leakage?.splits.first { $0.index == index }, candidate: index < 5,
                             paperThresholdProtects: attack.map { $0.mseSumChannels >= 0.02 })
        }
        XCTAssertEqual(zone.split, zoneSplit)
        return (splits, zone, leakage)
    }

    private func recommend(_ v: (splits: [ScanSplit], zone: StableZone, leakage: LeakageBoundary?))
        -> ScanRecommendation {
        ScanVerdict.recommend(splits: v.splits, zone: v.zone, leakage: v.leakage, threshold: threshold)
    }

    func testRecommendsTheBoundaryWithItsCost() throws {
        // L = 0.9, 0.8, 0.05, 0.01: s3 is the first candidate from which every deeper one protects.
        let v = try verdict(mse: [1: [0.01], 2: [0.02], 3: [0.095], 4: [0.099], 5: [0.099]])
        XCTAssertEqual(v.leakage?.boundary, 3)
        let r = recommend(v)
        XCTAssertEqual(r.kind, .partition)
        XCTAssertEqual(r.split, 3)
        XCTAssertEqual(r.name, "s3")
        XCTAssertEqual(r.edgeMacs, 300)
        XCTAssertEqual(r.edgeParams, 30)
        XCTAssertEqual(r.bytes, 4 * 4 * 2 * 2)
        XCTAssertEqual(try XCTUnwrap(r.mse), 0.095, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(r.leakage), 0.05, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.leakageUpper), 0.05, accuracy: 1e-12, "one seed: no spread")
        XCTAssertTrue(r.rule.contains("beat the label-only floor by more than 0.1"), r.rule)
        XCTAssertEqual(r.zoneSplit, 3)
        XCTAssertTrue(r.matchesZone)
        XCTAssertTrue(r.rule.contains("(decoder: 1 seed, aux data all)"), r.rule)
    }

    func testABoundaryOtherThanTheZoneDoesNotMatchIt() throws {
        let v = try verdict(mse: [1: [0.01], 2: [0.02], 3: [0.095], 4: [0.099], 5: [0.099]], zoneSplit: 2)
        let r = recommend(v)
        XCTAssertEqual(r.split, 3)
        XCTAssertEqual(r.zoneSplit, 2)
        XCTAssertFalse(r.matchesZone)
    }

    /// A shallow split whose own attack shows little is no boundary while a deeper candidate leaks: it leaks
    /// at least as much (the cloud computes the deeper features from its Z).
    func testTheBoundaryNeedsEveryDeeperCandidateToProtect() throws {
        let v = try verdict(mse: [1: [0.095], 2: [0.02], 3: [0.095], 4: [0.099], 5: [0.099]])
        XCTAssertEqual(v.leakage?.splits.first?.leakageUpper ?? 0, 0.8, accuracy: 1e-12)
        XCTAssertEqual(v.leakage?.splits.first?.weakerThanDeeper, true)
        XCTAssertEqual(recommend(v).split, 3)
        XCTAssertEqual(v.leakage?.lastLeaking, 2)
    }

    /// s3's mean leakage is under τ, but its best seed's is not: an attacker keeps its best decoder, and the
    /// boundary moves to s4.
    func testTheWorstSeedDecides() throws {
        // s3: L = 0.05, 0.2, 0 → mean 0.083 ≤ 0.1, best 0.2 > 0.1.
        let v = try verdict(mse: [1: [0.01], 2: [0.02], 3: [0.095, 0.08, 0.11], 4: [0.1, 0.1, 0.099], 5: [0.099]])
        let s3 = try XCTUnwrap(v.leakage?.splits.first { $0.index == 3 })
        XCTAssertEqual(s3.leakage, 0.2, accuracy: 1e-12)
        XCTAssertFalse(s3.protects)
        let r = recommend(v)
        XCTAssertEqual(r.kind, .partition)
        XCTAssertEqual(r.split, 4)
        XCTAssertFalse(r.matchesZone)
        XCTAssertEqual(try XCTUnwrap(r.mse), (0.1 + 0.1 + 0.099) / 3, accuracy: 1e-15, "the mean over seeds")
        XCTAssertTrue(r.rule.contains("(decoder: 3 seeds, aux data all)"), r.rule)
    }

    func testOnlyTheLogitsProtectIsNoPartition() throws {
        let v = try verdict(mse: [1: [0.01], 2: [0.02], 3: [0.03], 4: [0.04], 5: [0.099]])
        XCTAssertNil(v.leakage?.boundary)
        let r = recommend(v)
        XCTAssertEqual(r.kind, .noPartition)
        XCTAssertEqual(r.split, 5)
        XCTAssertEqual(r.name, "logits")
        XCTAssertEqual(r.edgeMacs, 500, "the whole network on the edge")
        XCTAssertEqual(try XCTUnwrap(r.leakage), 0.01, accuracy: 1e-12)
        XCTAssertFalse(r.matchesZone)
        XCTAssertTrue(r.rule.contains("no partition"), r.rule)
    }

    func testNoneWhenEverySplitLeaks() throws {
        let r = recommend(try verdict(mse: [1: [0.01], 2: [0.02], 3: [0.03], 4: [0.04], 5: [0.05]]))
        XCTAssertEqual(r.kind, .none)
        XCTAssertNil(r.split)
        XCTAssertNil(r.name)
        XCTAssertNil(r.edgeMacs)
        XCTAssertEqual(r.zoneSplit, 3)
        XCTAssertFalse(r.matchesZone)
        XCTAssertTrue(r.rule.hasPrefix("every attacked split, the logits included, leaks: at each, an attacker we ran "
                                        + "(decoder: 1 seed, aux data all) beat the label-only floor by more than "
                                        + "0.1"), r.rule)
    }

    /// Protecting candidates with unattacked logits still give a partition; leaking ones without logits give none.
    func testLogitsThatWereNotAttacked() throws {
        XCTAssertEqual(recommend(try verdict(mse: [2: [0.02], 4: [0.099]])).split, 4)
        XCTAssertEqual(recommend(try verdict(mse: [2: [0.02], 4: [0.03]])).kind, .none)
    }

    /// An inadequate attacker cannot produce a partition: where no split is shown to leak, but the decoders did
    /// no better than the class-mean image (a 1-epoch decoder "leaking 0"), the answer is inconclusive.
    func testAFailedAttackGivesInconclusiveNotAPartition() throws {
        let v = try verdict(mse: [1: [0.01], 2: [0.02], 3: [0.1], 4: [0.11], 5: [0.1]])
        XCTAssertNil(v.leakage?.boundary)
        let r = recommend(v)
        XCTAssertEqual(r.kind, .inconclusive)
        XCTAssertNil(r.split)
        XCTAssertTrue(r.rule.contains("an attack that failed or had not finished learning proves nothing"), r.rule)
        XCTAssertTrue(r.rule.contains("at s3 (no attack beat the label-only floor), s4 (no attack beat the label-only "
                                      + "floor), logits (no attack beat the label-only floor)"), r.rule)
    }

    func testNoAttackIsNone() throws {
        let v = try verdict(mse: [:])
        XCTAssertNil(v.leakage)
        let r = recommend(v)
        XCTAssertEqual(r.kind, .none)
        XCTAssertNil(r.split)
        XCTAssertEqual(r.rule, "no split was attacked")
        XCTAssertEqual(r.zoneSplit, 3)
    }

    // MARK: - Worst case over attackers

    /// Two studies of one target on the same evaluated images: "stronger"'s decoder fails at block4 (MSE 0.0415,
    /// protects on its own), "decoder" reconstructs it (0.0219, leaks). Judged by the strongest attacker per split,
    /// block4 leaks and no block protects; the logits (0.044 for both) still do.
    func testWorstCaseJudgesEachSplitByTheStrongestAttacker() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gpz-verdict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var first = try ReportFixture.cnn4(writingGridsTo: directory, outcome: .noPartition)
        first.name = "decoder"
        var second = try ReportFixture.cnn4(writingGridsTo: directory, outcome: .partition)
        second.name = "stronger"
        second.attack.attacker = "stronger"
        XCTAssertEqual(second.zones.leakage?.boundary, 4, "alone, the failed attacker would put the boundary at block4")
        var other = second
        other.name = "other target"
        other.target.trainingHash = "another"

        let worst = try PlanComparison.worstCases([second, first, other])
        XCTAssertEqual(worst.count, 1, "one target attacked twice; the other target only once")
        let group = try XCTUnwrap(worst.first)
        XCTAssertEqual(group.trainingHash, first.target.trainingHash)
        XCTAssertEqual(Set(group.studies), ["decoder", "stronger"])
        XCTAssertEqual(group.leakage.classMeanMSE, ReportFixture.classMeanMSE)
        let block4 = try XCTUnwrap(group.leakage.splits.first { $0.index == 4 })
        XCTAssertEqual(block4.attacker, "decoder")
        XCTAssertEqual(block4.mse, [0.0219], "one seed settles the decoder's block4 (L₁ = 0.50 > τ)")
        XCTAssertFalse(block4.protects)
        // block1: both reach 0.0039 with one seed; on a tie the attackers' names decide.
        XCTAssertEqual(group.leakage.splits.first { $0.index == 1 }?.attacker, "decoder")
        XCTAssertNil(group.leakage.boundary)
        XCTAssertEqual(group.leakage.logitsProtect, true)
        XCTAssertEqual(group.leakage.splits.map(\.index), [1, 2, 3, 4, 5])

        // Different evaluated images (another class-mean MSE) are not compared.
        var elsewhere = first
        elsewhere.baselines = ReconstructionBaselines(images: 500, channels: 1, globalMeanMSE: 0.09, classMeanMSE: 0.05)
        XCTAssertEqual(try PlanComparison.worstCases([second, elsewhere]), [])
    }
}
