import Foundation
import GPZTensor
import GRDB

/// The resumable record of a scan's finished units of work, in an SQLite database (through GRDB).
///
/// A unit is (stage hash, kind, key) → a JSON payload: a target-training epoch (`train-epoch`, key = epoch), the
/// statistics of one split (`analysis`, key = split index), the attack on one split (`attack`, key = split
/// index), the statistics after one epoch (`epoch-analysis`). The stage hash is the hash of exactly the
/// configuration the unit depends on, so a changed attack setting reuses the training and analysis units. A
/// unit is written once, in a transaction, after its result exists; writing it again is a no-op (the first
/// record stays), so a run killed at any moment and started again neither loses nor duplicates a unit.
public final class ScanStore {
    public enum Kind: String, Sendable {
        case trainEpoch = "train-epoch"
        case analysis
        case attack
        case epochAnalysis = "epoch-analysis"
        case bootstrap
    }

    /// The store's file name in the folder it records (a run directory, a plan's directory or a targets folder).
    public static let fileName = "scan.sqlite"

    private let queue: DatabaseQueue
    /// The run directory's lock, held while this store is open for writing.
    private let lock: RunDirectoryLock?

    /// Seconds a write waits for another connection's transaction before giving up (only a process that
    /// bypassed the run lock can hold one).
    static let busyTimeout: TimeInterval = 60

    /// What changes the numbers a unit holds besides its configuration: libtorch's intra-op thread count (the
    /// order of floating-point reductions), the libtorch version, the device and the CPU kernels (`Runtime.kernels`).
    public static var currentNumerics: String {
        "threads=\(Runtime.threads), libtorch \(Runtime.backendVersion), \(Device.current), \(Runtime.kernels)"
    }

    /// Opens (creating if needed) the store at `url` for writing: takes the exclusive lock of its directory
    /// (another writer is refused with its PID), and refuses a store whose units were computed under other
    /// `numerics` (see `currentNumerics`), so one results file never mixes units computed differently.
    public init(url: URL, numerics: String = ScanStore.currentNumerics) throws {
        lock = try RunDirectoryLock(directory: url.deletingLastPathComponent())
        queue = try Self.open(url, readOnly: false)
        let recorded = try Self.checkNumerics(queue, numerics)
        guard recorded == numerics else {
            throw RunDirectoryError("\(url.path): its units were computed with \(recorded); this process has "
                                    + "\(numerics). Resume with the same settings (GPZ_NUM_THREADS), or use a new run directory")
        }
    }

    /// Opens an existing store to read it while a writer may be running (no lock taken, nothing written).
    public init(readingAt url: URL) throws {
        lock = nil
        queue = try Self.open(url, readOnly: true)
    }

    /// The numerics recorded in `queue`, recording `numerics` when there are none yet.
    private static func checkNumerics(_ queue: DatabaseQueue, _ numerics: String) throws -> String {
        try queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO setting (name, value) VALUES ('numerics', ?)", arguments: [numerics])
            return try String.fetchOne(db, sql: "SELECT value FROM setting WHERE name = 'numerics'") ?? numerics
        }
    }

    private static func open(_ url: URL, readOnly: Bool) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.readonly = readOnly
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            if readOnly { return queue }
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.create(table: "unit") { table in
                    table.column("stage_hash", .text).notNull()
                    table.column("kind", .text).notNull()
                    table.column("key", .text).notNull()
                    table.column("payload", .blob).notNull()
                    table.column("seconds", .double).notNull()
                    table.primaryKey(["stage_hash", "kind", "key"])
                }
            }
            migrator.registerMigration("v2-settings") { db in
                try db.create(table: "setting") { table in
                    table.primaryKey("name", .text)
                    table.column("value", .text).notNull()
                }
            }
            try migrator.migrate(queue)
            return queue
        } catch {
            throw ScanError("\(url.path): cannot open the scan store (\(error))")
        }
    }

    /// Records a unit unless it is already there; returns whether it was new.
    @discardableResult
    public func record<T: Encodable>(_ value: T, hash: String, kind: Kind, key: String, seconds: Double = 0) throws -> Bool {
        try record([(key, value)], hash: hash, kind: kind, seconds: seconds) == 1
    }

    /// Records several units of one kind in one transaction; returns how many were new.
    @discardableResult
    public func record<T: Encodable>(_ values: [(key: String, value: T)], hash: String, kind: Kind,
                                     seconds: Double = 0) throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rows = try values.map { ($0.key, try encoder.encode($0.value)) }
        return try queue.write { db in
            var inserted = 0
            for (key, payload) in rows {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO unit (stage_hash, kind, key, payload, seconds) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [hash, kind.rawValue, key, payload, seconds])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// The units of `kind` under `hash`, by key.
    public func units<T: Decodable>(_ type: T.Type, hash: String, kind: Kind) throws -> [String: T] {
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT key, payload FROM unit WHERE stage_hash = ? AND kind = ?",
                             arguments: [hash, kind.rawValue])
        }
        var result: [String: T] = [:]
        for row in rows {
            let key: String = row["key"]
            let payload: Data = row["payload"]
            do {
                result[key] = try JSONDecoder().decode(T.self, from: payload)
            } catch {
                throw ScanError("scan store: the \(kind.rawValue) unit '\(key)' cannot be read (\(error)); "
                                + "delete the run directory's scan.sqlite to start over")
            }
        }
        return result
    }

    /// Seconds recorded for the units of `kind` under `hash`.
    public func seconds(hash: String, kind: Kind) throws -> Double {
        try queue.read { db in
            try Double.fetchOne(db, sql: "SELECT COALESCE(SUM(seconds), 0) FROM unit WHERE stage_hash = ? AND kind = ?",
                                arguments: [hash, kind.rawValue]) ?? 0
        }
    }

    /// Every unit, as (kind, key) pairs with a count per pair: used to check that nothing was duplicated.
    public func inventory() throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: "SELECT kind || ':' || key FROM unit ORDER BY stage_hash, kind, key")
        }
    }
}

/// A scan that cannot go on: a store it cannot read, a stage that produced nothing.
public struct ScanError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
