import GPZAttacks
import GPZData
import GPZTensor
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

    // MARK: The PCA embedding and `measure` on images

    /// A standard normal draw (Box–Muller).
    static func gaussian(_ generator: inout SeededRandom) -> Double {
        let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * Double.random(in: 0..<1, using: &generator))
    }

    /// `perClass` images of 1 × 16 × 16 for each of `classes` classes, in [0, 1]: a class pattern plus a smooth
    /// per-image wave, so same-class images share most of their pixels but differ.
    static func classImages(classes: Int, perClass: Int, seed: UInt64) throws -> (images: Tensor, labels: [Int]) {
        var generator = SeededRandom(seed: seed)
        var values: [Double] = [], labels: [Int] = []
        for label in 0..<classes {
            let pattern = (0..<256).map { _ in Double.random(in: 0...1, using: &generator) }
            for _ in 0..<perClass {
                let (a, b) = (Double.random(in: 0...6, using: &generator), Double.random(in: 0...6, using: &generator))
                values += (0..<256).map { p in
                    0.6 * pattern[p] + 0.2 + 0.2 * sin(a * Double(p / 16) / 16 + b * Double(p % 16) / 16)
                }
                labels.append(label)
            }
        }
        return (try Tensor(values, shape: [classes * perClass, 1, 16, 16]).to(.float32), labels)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Gaussian data with standard deviation 10 along a unit vector u and 0.05 elsewhere: the first component is
    /// ±u, its variance about 100, and the components are orthonormal.
    func testTheEmbeddingRecoversAPlantedDirection() throws {
        var generator = SeededRandom(seed: 5)
        let raw = (0..<64).map { _ in Self.gaussian(&generator) }
        let u = raw.map { $0 / Self.dot(raw, raw).squareRoot() }
        var values: [Double] = []
        for _ in 0..<300 {
            let t = 10 * Self.gaussian(&generator)
            values += u.map { 0.5 + t * $0 + 0.05 * Self.gaussian(&generator) }
        }
        let embedding = try ReidentificationEmbedding.fit(images: Tensor(values, shape: [300, 1, 8, 8]), components: 8)
        XCTAssertEqual(embedding.components.count, 8)
        XCTAssertEqual(embedding.dimension, 64)
        XCTAssertGreaterThan(abs(Self.dot(embedding.components[0], u)), 0.99)
        XCTAssertEqual(embedding.variances[0], 100, accuracy: 25)
        XCTAssertLessThan(embedding.variances[1], 0.01)
        XCTAssertEqual(embedding.variances, embedding.variances.sorted(by: >))
        for (i, a) in embedding.components.enumerated() {
            for (j, b) in embedding.components.enumerated() {
                XCTAssertEqual(Self.dot(a, b), i == j ? 1 : 0, accuracy: 1e-6, "Gram[\(i), \(j)]")
            }
        }
    }

    /// The same seed gives the same components; another seed starts elsewhere; k is capped at N − 1 and at D.
    func testTheEmbeddingIsDeterministicPerSeedAndCapped() throws {
        let (images, _) = try Self.classImages(classes: 3, perClass: 12, seed: 1)
        let embedding = try ReidentificationEmbedding.fit(images: images, components: 6, seed: 4)
        let again = try ReidentificationEmbedding.fit(images: images, components: 6, seed: 4)
        let other = try ReidentificationEmbedding.fit(images: images, components: 6, seed: 5)
        XCTAssertEqual(again.components, embedding.components)
        XCTAssertEqual(try again.embed(images), try embedding.embed(images))
        XCTAssertNotEqual(other.components, embedding.components)
        XCTAssertEqual(try ReidentificationEmbedding.fit(images: images.slice(dim: 0, end: 5)).components.count, 4)
        let tiny = try ReidentificationEmbedding.fit(images: Tensor.rand([10, 1, 2, 2]))
        XCTAssertEqual(tiny.components.count, 4)
        let coordinates = try embedding.embed(images.slice(dim: 0, end: 3))
        XCTAssertEqual(coordinates.count, 3)
        XCTAssertEqual(coordinates[0].count, 6)
    }

    /// Distinct random images reconstructed perfectly: every trial picks its own original, both ways.
    func testMeasureReidentifiesTheOriginalsThemselves() throws {
        var generator = SeededRandom(seed: 9)
        let originals = try Tensor((0..<(36 * 256)).map { _ in Double.random(in: 0...1, using: &generator) },
                                   shape: [36, 1, 16, 16])
        let aux = try Tensor((0..<(50 * 256)).map { _ in Double.random(in: 0...1, using: &generator) },
                             shape: [50, 1, 16, 16])
        let labels = (0..<36).map { $0 / 12 }
        let result = try Reidentification.measure(reconstructions: originals, originals: originals, labels: labels,
                                                  embedding: ReidentificationEmbedding.fit(images: aux))
        XCTAssertEqual(result.embedding.rate, 1)
        XCTAssertEqual(result.ssim.rate, 1)
        XCTAssertEqual(result.ssim.trials, 36)
        XCTAssertEqual(result.ssim.chance, 0.1)
        XCTAssertFalse(result.indistinguishableFromChance)
    }

    /// The SSIM half of `measure` equals `evaluate` on the same seed with SSIM computed for every pair: the
    /// batched pairs land on the right trials, drawn as `evaluate` draws them.
    func testMeasureSSIMMatchesEvaluateOverAllPairs() throws {
        let (originals, labels) = try Self.classImages(classes: 3, perClass: 12, seed: 2)
        var generator = SeededRandom(seed: 3)
        let noise = try Tensor((0..<originals.count).map { _ in 0.3 * Self.gaussian(&generator) },
                               shape: originals.shape)
        let reconstructions = try (originals.to(.float64) + noise).clamped(min: 0, max: 1)
        let n = labels.count
        let all = try ReconstructionMetrics.structuralSimilarity(
            reconstructions.indexSelect(dim: 0, (0..<n * n).map { $0 / n }),
            originals.indexSelect(dim: 0, (0..<n * n).map { $0 % n }))
        let expected = try Reidentification.evaluate(labels: labels, candidates: 6, seed: 8) { i, j in all[i * n + j] }
        let measured = try Reidentification.measure(reconstructions: reconstructions, originals: originals,
                                                    labels: labels, embedding: .fit(images: originals),
                                                    candidates: 6, seed: 8)
        XCTAssertEqual(measured.ssim, expected)
        XCTAssertGreaterThan(expected.rate, 0.2)
        XCTAssertLessThan(expected.rate, 1)
    }

    /// The class-mean image carries nothing of the instance: chance within the interval, both ways.
    func testMeasureOfTheClassMeanCoversChance() throws {
        let (originals, labels) = try Self.classImages(classes: 3, perClass: 40, seed: 11)
        let (aux, _) = try Self.classImages(classes: 3, perClass: 40, seed: 12)
        let means = try (0..<3).map { c in
            try originals.indexSelect(dim: 0, labels.indices.filter { labels[$0] == c }).mean(dims: [0], keepDim: true)
        }
        let result = try Reidentification.measure(reconstructions: Tensor.cat(labels.map { means[$0] }),
                                                  originals: originals, labels: labels,
                                                  embedding: .fit(images: aux, components: 16), seed: 2)
        XCTAssertTrue(result.indistinguishableFromChance, "\(result)")
        XCTAssertLessThan(result.worst.rate, 0.2)
    }

    /// Each reconstruction is another image of the same class: shuffled pairs cover chance, both ways.
    func testMeasureOfShuffledPairsCoversChance() throws {
        let (originals, labels) = try Self.classImages(classes: 3, perClass: 40, seed: 11)
        let (aux, _) = try Self.classImages(classes: 3, perClass: 40, seed: 12)
        let neighbours = try originals.indexSelect(dim: 0, labels.indices.map { $0 % 40 == 39 ? $0 - 39 : $0 + 1 })
        let result = try Reidentification.measure(reconstructions: neighbours, originals: originals, labels: labels,
                                                  embedding: .fit(images: aux, components: 16), seed: 3)
        XCTAssertTrue(result.indistinguishableFromChance, "\(result)")
    }

    /// `worst` is the higher rate; the pair encodes under the keys `embedding` and `ssim`.
    func testMeasuredWorstAndEncoding() throws {
        func result(_ hits: Double) -> Reidentification.Result {
            let (lower, upper) = Reidentification.wilson(successes: hits, trials: 100)
            return .init(candidates: 10, trials: 100, hits: hits, rate: hits / 100, lower: lower, upper: upper,
                         chance: 0.1)
        }
        let measured = Reidentification.Measured(embedding: result(12), ssim: result(30))
        XCTAssertEqual(measured.worst, result(30))
        XCTAssertEqual(Reidentification.Measured(embedding: result(31), ssim: result(30)).worst.hits, 31)
        XCTAssertFalse(measured.indistinguishableFromChance)
        XCTAssertTrue(Reidentification.Measured(embedding: result(12), ssim: result(8)).indistinguishableFromChance)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(measured)) as? [String: Any]
        XCTAssertEqual(json.map { Set($0.keys) }, ["embedding", "ssim"])
        XCTAssertEqual(try JSONDecoder().decode(Reidentification.Measured.self, from: JSONEncoder().encode(measured)),
                       measured)
    }

    func testMeasureAndEmbeddingRefuseBadShapes() throws {
        let (images, labels) = try Self.classImages(classes: 3, perClass: 12, seed: 1)
        let embedding = try ReidentificationEmbedding.fit(images: images)
        XCTAssertThrowsError(try Reidentification.measure(reconstructions: images.slice(dim: 0, end: 10),
                                                          originals: images, labels: labels, embedding: embedding)) {
            XCTAssertTrue("\($0)".contains("[10, 1, 16, 16]") && "\($0)".contains("[36, 1, 16, 16]"), "\($0)")
        }
        XCTAssertThrowsError(try embedding.embed(Tensor.zeros([2, 1, 8, 8]))) {
            XCTAssertTrue("\($0)".contains("[2, 1, 8, 8]") && "\($0)".contains("fitted to 256"), "\($0)")
        }
        XCTAssertThrowsError(try ReidentificationEmbedding.fit(images: images.slice(dim: 0, end: 1))) {
            XCTAssertTrue("\($0)".contains("[1, 1, 16, 16]"), "\($0)")
        }
        XCTAssertThrowsError(try Reidentification.measure(reconstructions: images, originals: images, labels: labels,
                                                          embedding: embedding, candidates: 13)) {
            XCTAssertTrue("\($0)".contains("class 0 has 12 images"), "\($0)")
        }
    }
}
