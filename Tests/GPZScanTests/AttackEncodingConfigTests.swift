import Foundation
import GPZAttacks
import GPZConfig
import GPZData
import GPZReport
import GPZScan
import GPZTensor
import XCTest

/// `attack.encoding`: one declaration (key, type, default fp32, validation by the type), left out of the JSON and
/// the hashes at fp32 so that stores made before it existed stay valid.
final class AttackEncodingConfigTests: XCTestCase {
    /// The default configuration encodes without the key (the other fields, nil ones omitted), so every hash of
    /// it is what it was without the key; int8 is written and is another attack.
    func testFP32IsLeftOutOfTheJSONAndTheHashes() throws {
        XCTAssertEqual(try CanonicalJSON.line(AttackConfig()),
                       #"{"attacker":"decoder","aux":"sub","batch":128,"budget":1,"defense":"none","epochs":10,"#
                       + #""escalation_epochs":40,"evaluate_on":"private","feature_bank_mib":2048,"#
                       + #""ladder":[0.25,0.5],"lr":0.01,"patience":3,"rmle_images":16,"rmle_iterations":300,"#
                       + #""schedule":"one-pass","seed":0,"seeds":3,"splits":"all","validation":0.1}"#)
        var int8 = AttackConfig()
        int8.encoding = .int8
        XCTAssertTrue(try CanonicalJSON.line(int8).contains(#""encoding":"int8""#))
        XCTAssertNotEqual(try CanonicalJSON.hash(int8), try CanonicalJSON.hash(AttackConfig()))

        let plain = ScanConfig()
        let explicit = try ScanPlan.parse("attack: {encoding: fp32}\n", json: false, source: "c").studies[0]
        XCTAssertEqual(explicit.attack.encoding, .fp32)
        XCTAssertEqual(try explicit.attackHash, try plain.attackHash, "naming the default changes nothing")
        XCTAssertEqual(try explicit.hash, try plain.hash)
        let fp16 = try ScanPlan.parse("attack: {encoding: fp16}\n", json: false, source: "c").studies[0]
        XCTAssertEqual(fp16.attack.encoding, .fp16)
        XCTAssertNotEqual(try fp16.attackHash, try plain.attackHash)
        XCTAssertEqual(try fp16.analysisHash, try plain.analysisHash, "the encoding concerns the attack only")
    }

    /// JSON without the key (no `encoding`) reads as fp32; int8 reads back as int8; a bad value is
    /// an error naming `attack.encoding` and the choices.
    func testDecodingOldAndNewJSON() throws {
        let old = Data(#"{"splits":"all","aux":"sub","attacker":"decoder","defense":"none","epochs":3,"lr":0.01,"#.utf8)
            + Data(#""batch":64,"evaluate_on":"private","rmle_images":16,"rmle_iterations":300,"seed":0,"#.utf8)
            + Data(#""schedule":"one-pass","seeds":3,"feature_bank_mib":2048,"patience":3,"validation":0.1,"#.utf8)
            + Data(#""budget":1,"ladder":[0.25,0.5],"escalation_epochs":40}"#.utf8)
        let decoded = try JSONDecoder().decode(AttackConfig.self, from: old)
        XCTAssertEqual(decoded.encoding, .fp32)
        XCTAssertEqual(decoded.epochs, 3)
        var int8 = AttackConfig()
        int8.encoding = .int8
        XCTAssertEqual(try JSONDecoder().decode(AttackConfig.self, from: CanonicalJSON.data(int8)), int8)
        XCTAssertThrowsError(try ScanPlan.parse("attack:\n  encoding: int4\n", json: false, source: "c")) { error in
            XCTAssertTrue("\(error)".contains("attack.encoding"), "\(error)")
            XCTAssertTrue("\(error)".contains("'int4': expected one of fp32, fp16, int8"), "\(error)")
        }
        XCTAssertThrowsError(try ScanPlan.parse("attack:\n  encodng: int8\n", json: false, source: "c")) { error in
            XCTAssertTrue("\(error)".contains("attack.encodng: unknown field"), "\(error)")
        }
    }
}
