import Foundation
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

    private let queue: DatabaseQueue

    /// Opens (creating if needed) the store at `url`.
    public init(url: URL) throws {
        do {
            queue = try DatabaseQueue(path: url.path)
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
            try migrator.migrate(queue)
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
