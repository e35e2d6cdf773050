import Foundation
import GRDB
import SkillCore
import Synchronization

/// Tells cheaply whether anything was committed to the database since the last look, by any
/// connection of any process: SQLite's `PRAGMA data_version` read on a connection of its own
/// that never writes. Far cheaper than a pooled read transaction, so caches of derived data
/// (the server's trust list and status lists) can ask on every request.
final class ChangeProbe: Sendable {
    private static let nextID = Atomic<Int>(0)
    /// Distinguishes probes: each connection counts its own data versions.
    let id = ChangeProbe.nextID.add(1, ordering: .relaxed).newValue
    private let path: String
    private let queue = Mutex<DatabaseQueue?>(nil)

    init(path: String) { self.path = path }

    func version() throws -> Int {
        try queue.withLock { queue in
            if queue == nil {
                queue = try DatabaseQueue(path: path, configuration: .readOnly)
            }
            return try queue!.inDatabase { db in try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0 }
        }
    }
}

/// A point in the database's history as one ledger value sees it: equal versions mean no
/// commit in between. Only versions from the same `Ledger` value compare meaningfully, so
/// the probe's identity is part of it.
public struct ChangeVersion: Sendable, Hashable {
    let probe: Int
    let version: Int
}

extension Ledger {
    /// The current change version: it differs from an earlier one exactly when something was
    /// committed in between (by this process or another).
    /// - Throws: `store.failure`.
    public func changeVersion() throws(SkillError) -> ChangeVersion {
        do { return ChangeVersion(probe: changeProbe.id, version: try changeProbe.version()) } catch { throw Ledger.map(error) }
    }
}
