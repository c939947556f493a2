import ArgumentParser
import GPZAnalysis
import GPZAttacks
import GPZReport
import GPZScan
import GPZTraining
import XCTest
@testable import gpz

/// Every CLI setting is a field of a library configuration type; with no options given, each field must come
/// out at the type's own default. The fields compared are enumerated from the configuration types themselves.
final class OptionDefaultsTests: XCTestCase {
    func testTrainingOptionsDefaultToTrainingConfig() throws {
        let labels = try TrainCommand.parse(["--out", "o"]).labels
        try assertEveryField(of: try TrainingOptions.parse([]).config(labels: labels), equals: TrainingConfig())
        try assertEveryField(of: try VortexCommand.parse(["--out", "o"]).training.config(labels: labels),
                             equals: TrainingConfig())
    }

    func testAttackOptionsDefaultToAttackConfig() throws {
        try assertEveryField(of: try AttackCommand.parse(["--checkpoint", "c", "--out", "o"]).config, equals: AttackConfig())
    }

    func testAnalyzeOptionsDefaultToAnalysisSettings() throws {
        let command = try AnalyzeCommand.parse(["--checkpoint", "c"])
        XCTAssertEqual(command.labels, AnalysisSettings().labels)
        XCTAssertEqual(command.sample, AnalysisSettings().sample)
    }

    /// Compares `value` with `defaults` field by field (every stored property of `T`), naming the first that
    /// differs; a type with no fields fails, so the comparison cannot pass vacuously.
    private func assertEveryField<T>(of value: T, equals defaults: T, file: StaticString = #filePath,
                                     line: UInt = #line) throws {
        let expected = Array(Mirror(reflecting: defaults).children)
        XCTAssertFalse(expected.isEmpty, "\(T.self) has no fields", file: file, line: line)
        for (got, want) in zip(Mirror(reflecting: value).children, expected) {
            XCTAssertEqual("\(got.value)", "\(want.value)", "\(T.self).\(want.label ?? "?"): the option's default differs",
                           file: file, line: line)
        }
    }
}
