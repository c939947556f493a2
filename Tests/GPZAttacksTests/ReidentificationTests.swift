import GPZAttacks
import GPZData
import XCTest

final class ReidentificationTests: XCTestCase {
    /// 5 classes × 60 images of 16 values: a class centre plus noise, so same-class images differ.
    static func images() -> (vectors: [[Double]], labels: [Int]) {
        var generator = SeededRandom(seed: 7)
        var vectors: [[Double]] = [], labels: [Int] = []
        for label in 0..<5 {
            let centre = (0..<16).map { _ in Double.random(in: 0...1, using: &generator) }
            for _ in 0..<60 {
                vectors.append(centre.map { $0 + Double.random(in: -0.2...0.2, using: &generator) })
                labels.append(label)
            }
        }
        return (vectors, labels)
    }

    func testTheOriginalsThemselvesAreAlwaysReidentified() throws {
        let (vectors, labels) = Self.images()
        let result = try Reidentification.evaluate(reconstructions: vectors, originals: vectors, labels: labels)
        XCTAssertEqual(result.rate, 1)
        XCTAssertEqual(result.trials, 300)
        XCTAssertEqual(result.chance, 0.1)
        XCTAssertFalse(result.indistinguishableFromChance)
    }

    /// The class-mean image carries the class and nothing of the instance: chance, within the interval.
    func testTheClassMeanImageScoresChance() throws {
        let (vectors, labels) = Self.images()
        let means = Dictionary(grouping: vectors.indices, by: { labels[$0] }).mapValues { members in
            (0..<16).map { d in members.map { vectors[$0][d] }.reduce(0, +) / Double(members.count) }
        }
        let result = try Reidentification.evaluate(reconstructions: labels.map { means[$0]! }, originals: vectors,
                                                   labels: labels)
        XCTAssertTrue(result.indistinguishableFromChance, "\(result)")
        XCTAssertLessThan(result.rate, 0.2)
    }

    /// Each reconstruction is another image of the same class: shuffled pairs identify nothing.
    func testShuffledPairsCoverChance() throws {
        let (vectors, labels) = Self.images()
        let shuffled = vectors.indices.map { i in vectors[labels[i] == labels[(i + 1) % 300] ? (i + 1) % 300 : i - 59] }
        let result = try Reidentification.evaluate(reconstructions: shuffled, originals: vectors, labels: labels, seed: 3)
        XCTAssertTrue(result.indistinguishableFromChance, "\(result)")
    }

    /// Ties share the hit: a similarity that cannot tell candidates apart scores exactly 1/K.
    func testTiesShareTheHit() throws {
        let labels = [Int](repeating: 0, count: 20) + [Int](repeating: 1, count: 20)
        let result = try Reidentification.evaluate(labels: labels, candidates: 4) { _, _ in 0 }
        XCTAssertEqual(result.rate, 0.25, accuracy: 1e-12)
        XCTAssertEqual(result.hits, 10, accuracy: 1e-12)
    }

    /// Known answers of the Wilson interval (95 %).
    func testWilsonIntervalKnownAnswers() {
        let eight = Reidentification.wilson(successes: 8, trials: 10)
        XCTAssertEqual(eight.lower, 0.490157, accuracy: 1e-6)
        XCTAssertEqual(eight.upper, 0.943319, accuracy: 1e-6)
        let none = Reidentification.wilson(successes: 0, trials: 10)
        XCTAssertEqual(none.lower, 0)
        XCTAssertEqual(none.upper, 0.277540, accuracy: 1e-6)
        XCTAssertEqual(Reidentification.wilson(successes: 10, trials: 10).upper, 1)
    }

    func testBadInputIsRefused() {
        XCTAssertThrowsError(try Reidentification.evaluate(labels: [0, 0, 1, 1], candidates: 3) { _, _ in 0 }) {
            XCTAssertTrue("\($0)".contains("fewer than the 3 candidates"), "\($0)")
        }
        XCTAssertThrowsError(try Reidentification.evaluate(labels: [0, 0], candidates: 1) { _, _ in 0 })
        XCTAssertThrowsError(try Reidentification.evaluate(reconstructions: [[0]], originals: [], labels: [0]))
    }
}
