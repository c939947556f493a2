import Foundation
import GPZTensor
import XCTest
@testable import GPZData

final class RolesTests: XCTestCase {
    func dataset(train: Int = 100, test: Int = 20, classes: Int = 5) throws -> Dataset {
        try Dataset(name: "toy", format: "test", train: Fixtures.images(train, classes: classes),
                    test: Fixtures.images(test, classes: classes), classNames: Dataset.numberedClasses(classes), files: [])
    }

    func testSubSplitIsDisjointStratifiedAndSeeded() throws {
        let d = try dataset()
        let roles = try Roles.make(d, plan: SplitPlan(seed: 7, aux: .sub(0.2)))
        XCTAssertTrue(Set(roles.train.indices).isDisjoint(with: roles.aux.indices), "an image is in both target-train and aux")
        XCTAssertEqual(Set(roles.train.indices).union(roles.aux.indices), Set(0 ..< 100))
        XCTAssertEqual(roles.aux.count, 20)
        XCTAssertEqual(roles.aux.images.histogram(classes: 5), [4, 4, 4, 4, 4])
        XCTAssertEqual(roles.train.source, "toy/train")
        XCTAssertEqual(roles.privateSet.source, "toy/test")
        XCTAssertEqual(roles.privateSet.count, 20)
        // The aux images really are those training images.
        XCTAssertEqual(roles.aux.images, d.train.subset(roles.aux.indices))
        // Same seed → same membership hash; another seed → another split.
        let again = try Roles.make(d, plan: SplitPlan(seed: 7))
        XCTAssertEqual(again.aux.membershipHash, roles.aux.membershipHash)
        XCTAssertEqual(again.train.membershipHash, roles.train.membershipHash)
        let other = try Roles.make(d, plan: SplitPlan(seed: 8))
        XCTAssertNotEqual(other.aux.membershipHash, roles.aux.membershipHash)
        XCTAssertTrue(Set(other.train.indices).isDisjoint(with: other.aux.indices))
        // The hash is reproducible from the recorded index list.
        XCTAssertEqual(roles.aux.membershipHash, RoleSet.membershipHash(source: "toy/train", indices: roles.aux.indices.reversed()))
        let manifest = roles.manifest
        XCTAssertEqual(manifest.train.count + manifest.aux.count, 100)
        XCTAssertTrue(manifest.json().contains("\"sha256\":\"\(roles.aux.membershipHash)\""))
        XCTAssertNil(manifest.aux.indices)
        let full = roles.manifest(includingIndices: true)
        XCTAssertEqual(RoleSet.membershipHash(source: full.aux.source, indices: full.aux.indices!), full.aux.sha256)
    }

    func testTrainLimitAndAuxLimitKeepStratifiedSubsets() throws {
        let d = try dataset()
        let full = try Roles.make(d, plan: SplitPlan(seed: 3))
        let limited = try Roles.make(d, plan: SplitPlan(seed: 3, trainLimit: 40))
        XCTAssertEqual(limited.train.count, 40)
        XCTAssertEqual(limited.train.images.histogram(classes: 5), [8, 8, 8, 8, 8])
        XCTAssertTrue(Set(limited.train.indices).isSubset(of: full.train.indices))
        XCTAssertEqual(limited.aux.membershipHash, full.aux.membershipHash, "the attacker's share must not move")
        XCTAssertEqual(limited.train.membershipHash, RoleSet.membershipHash(source: "toy/train", indices: limited.train.indices))
        XCTAssertEqual(try Roles.make(d, plan: SplitPlan(seed: 3, trainLimit: 500)).train.indices, full.train.indices)
        let aux = full.aux.limited(to: 10, seed: 1)
        XCTAssertEqual(aux.count, 10)
        XCTAssertEqual(aux.images.histogram(classes: 5), [2, 2, 2, 2, 2])
        XCTAssertTrue(Set(aux.indices).isSubset(of: full.aux.indices))
        XCTAssertEqual(aux.images, d.train.subset(aux.indices))
        XCTAssertEqual(full.aux.limited(to: nil, seed: 1).indices, full.aux.indices)
    }

    func testNoImageInBothTrainAndAuxAcrossManySeedsAndFractions() throws {
        let d = try dataset(train: 257, classes: 7)
        for seed in 0 ..< 20 as Range<UInt64> {
            for f in [0.05, 0.2, 0.5, 0.9] {
                let r = try Roles.make(d, plan: SplitPlan(seed: seed, aux: .sub(f)))
                XCTAssertTrue(Set(r.train.indices).isDisjoint(with: r.aux.indices))
                XCTAssertEqual(r.train.count + r.aux.count, 257)
            }
        }
    }

    func testPrivateTrainCrossAndGiven() throws {
        let d = try dataset()
        let priv = try Roles.make(d, plan: SplitPlan(privateSource: .train))
        XCTAssertEqual(priv.privateSet.indices, priv.train.indices)
        // cross: another data set converted to the target's size and channels.
        let other = try Dataset(name: "rgb", format: "test", train: Fixtures.images(9, channels: 3, height: 32, width: 32),
                                test: .empty(channels: 3, height: 32, width: 32), classNames: Dataset.numberedClasses(3), files: [])
        let cross = try Roles.make(d, plan: SplitPlan(aux: .cross("rgb")), loadCross: { _ in other })
        XCTAssertEqual(cross.aux.images.shape, d.shape)
        XCTAssertEqual(cross.aux.count, 9)
        XCTAssertEqual(cross.aux.source, "rgb/train")
        XCTAssertEqual(cross.train.count, 100)   // nothing held out
        // Resizing every role to 32×32 RGB.
        let big = try Roles.make(d, plan: SplitPlan(side: 32, channels: 3))
        XCTAssertEqual(big.train.images.shape, [3, 32, 32])
        XCTAssertEqual(big.privateSet.images.shape, [3, 32, 32])
        assertDataError(.noSplit, ["toy: no such split: ships no auxiliary split"]) { try Roles.make(d, plan: SplitPlan(aux: .given)) }
        let noTest = try Dataset(name: "csvish", format: "csv", train: Fixtures.images(10), test: .empty(channels: 1, height: 6, width: 5),
                                 classNames: Dataset.numberedClasses(3), files: [])
        assertDataError(.noSplit, ["csvish: no such split: has no test split to attack; use --private train (PrivateSource.train)"]) { try Roles.make(noTest) }
        XCTAssertEqual(try AuxMode.parse("sub"), .sub(0.2))
        XCTAssertEqual(try AuxMode.parse("sub:0.3"), .sub(0.3))
        XCTAssertEqual(try AuxMode.parse("cross:mnist-5k"), .cross("mnist-5k"))
        assertDataError(.badOption, ["expected sub:F with 0 < F < 1"]) { try AuxMode.parse("sub:1.5") }
    }
}

final class LoaderTests: XCTestCase {
    func testEpochCoversEverythingOnceWithAndWithoutDropLast() throws {
        let set = Fixtures.images(103, height: 4, width: 4, classes: 10)
        for prefetch in [0, 2] {
            let loader = BatchLoader(set, batchSize: 10, dropLast: false, seed: 3, prefetch: prefetch)
            XCTAssertEqual(loader.batchesPerEpoch, 11)
            var seen: [Int] = []
            let it = loader.epoch(0)
            while let b = try it.next() {
                XCTAssertEqual(b.images.shape, [b.indices.count, 1, 4, 4])
                XCTAssertEqual(try b.labels.toInts(), b.indices.map { set.labels[$0] })
                let values = try b.images.toFloats()
                let expected = b.indices.flatMap { set.image($0).map { Float($0) / 255 } }
                XCTAssertEqual(values, expected)
                seen += b.indices
            }
            XCTAssertEqual(seen.sorted(), Array(0 ..< 103))
            XCTAssertNotEqual(seen, Array(0 ..< 103))   // shuffled
            let dropping = BatchLoader(set, batchSize: 10, dropLast: true, seed: 3, prefetch: prefetch)
            XCTAssertEqual(dropping.batchesPerEpoch, 10)
            var n = 0
            let it2 = dropping.epoch(0)
            while let b = it2.nextRaw() { XCTAssertEqual(b.indices.count, 10); n += 1 }
            XCTAssertEqual(n, 10)
        }
    }

    func testSeededOrderAndFlipsDoNotDependOnPrefetch() throws {
        let set = Fixtures.images(50, height: 3, width: 4)
        func run(_ prefetch: Int, seed: UInt64, epoch: Int) -> [RawBatch] {
            let it = BatchLoader(set, batchSize: 8, flipProbability: 0.5, seed: seed, prefetch: prefetch).epoch(epoch)
            var out: [RawBatch] = []
            while let b = it.nextRaw() { out.append(b) }
            return out
        }
        let a = run(0, seed: 1, epoch: 0), b = run(3, seed: 1, epoch: 0)
        XCTAssertEqual(a.map(\.pixels), b.map(\.pixels))
        XCTAssertEqual(a.map(\.indices), b.map(\.indices))
        XCTAssertNotEqual(run(0, seed: 1, epoch: 1).map(\.indices), a.map(\.indices))
        XCTAssertNotEqual(run(0, seed: 2, epoch: 0).map(\.indices), a.map(\.indices))
        // Every image is either itself or its mirror, and both occur.
        var flipped = 0, plain = 0
        for batch in a {
            for (k, i) in batch.indices.enumerated() {
                let got = Array(batch.pixels[k * 12 ..< (k + 1) * 12])
                let original = set.image(i).map { Float($0) / 255 }
                let mirror = (0 ..< 3).flatMap { y in (0 ..< 4).reversed().map { x in original[y * 4 + x] } }
                if got == original { plain += 1 } else if got == mirror { flipped += 1 } else { XCTFail("image \(i) mangled") }
            }
        }
        XCTAssertGreaterThan(flipped, 10)
        XCTAssertGreaterThan(plain, 10)
    }

    /// An iterator dropped mid-epoch stops its prefetch thread. Each producer thread holds its queue until it
    /// returns, and the iterator holds it until it is dropped; so once 20 iterators that each took one of 250
    /// batches (their producers blocked on full queues) are dropped, every queue is freed exactly when its producer
    /// has stopped. Polled every 10 ms for up to 60 s: it takes milliseconds, and a producer that did not stop would
    /// stay blocked, holding its queue, forever.
    func testAbandoningAnEpochStopsTheProducer() throws {
        let set = Fixtures.images(1000, height: 8, width: 8)
        var iterators: [EpochIterator] = []
        var queues: [WeakQueue] = []
        for _ in 0 ..< 20 {
            let it = BatchLoader(set, batchSize: 4, seed: 0, prefetch: 2).epoch(0)
            _ = try it.next()
            let queue = try XCTUnwrap(Mirror(reflecting: it).descendant("queue") as? PrefetchQueue, "no prefetch queue")
            queues.append(WeakQueue(queue: queue))
            iterators.append(it)
        }
        XCTAssertEqual(queues.filter { $0.queue != nil }.count, 20)
        iterators.removeAll()
        let deadline = Date().addingTimeInterval(60)
        while queues.contains(where: { $0.queue != nil }) && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(queues.filter { $0.queue != nil }.count, 0,
                       "producers still running 60 s after their iterators were dropped")
    }

    private struct WeakQueue {
        weak var queue: PrefetchQueue?
    }

    func testThroughputIsMeasured() throws {
        let set = Fixtures.images(4096, height: 28, width: 28, classes: 10)
        let r = try LoaderBenchmark.run(set, batchSize: 128, prefetch: 2, minimumSeconds: 0.3)
        print("batch assembly (debug build, 28×28 grayscale): \(Int(r.imagesPerSecond)) images/s")
        XCTAssertGreaterThan(r.images, 0)
        XCTAssertGreaterThan(r.imagesPerSecond, 1000)
    }
}
