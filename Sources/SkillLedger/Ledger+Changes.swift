import Foundation
import GRDB
import GRDBSQLite
import SkillCore
import Synchronization

/// Tells cheaply whether anything was committed to the database since the last look, by any
/// connection of any process: SQLite's `PRAGMA data_version` read on a connection of its own
/// that never writes. Far cheaper than a pooled read transaction, so caches of derived data
/// (the server's trust list and status lists, authenticated tokens) can ask on every request.
///
/// The connection is SQLite's own, not a GRDB queue: a GRDB read hops through a dispatch queue
/// and decodes a row. Under `POST /v1/verify` that was 4.8% of the verifying threads' time
/// (about 10 µs a request); stepping the prepared statement directly is 2.2%.
final class ChangeProbe: Sendable {
    private static let nextID = Atomic<Int>(0)
    /// Distinguishes probes: each connection counts its own data versions.
    let id = ChangeProbe.nextID.add(1, ordering: .relaxed).newValue
    private let path: String
    private let connection = Mutex<Connection?>(nil)

    /// A read-only connection and its prepared `PRAGMA data_version`, used under the mutex only.
    private final class Connection {
        let handle: OpaquePointer
        let statement: OpaquePointer

        init(path: String) throws {
            var handle: OpaquePointer?
            let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
                let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
                sqlite3_close_v2(handle)
                throw SkillError(.storeFailure, "cannot open the database to watch for changes", cause: message)
            }
            sqlite3_busy_timeout(handle, 5_000)
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(handle, "PRAGMA data_version", -1, &statement, nil) == SQLITE_OK, let statement else {
                let message = String(cString: sqlite3_errmsg(handle))
                sqlite3_close_v2(handle)
                throw SkillError(.storeFailure, "cannot prepare the change probe", cause: message)
            }
            self.handle = handle
            self.statement = statement
        }

        func version() throws -> Int {
            defer { sqlite3_reset(statement) }
            guard sqlite3_step(statement) == SQLITE_ROW else {
                throw SkillError(.storeFailure, "cannot read the data version", cause: String(cString: sqlite3_errmsg(handle)))
            }
            return Int(sqlite3_column_int64(statement, 0))
        }

        deinit {
            sqlite3_finalize(statement)
            sqlite3_close_v2(handle)
        }
    }

    init(path: String) { self.path = path }

    func version() throws -> Int {
        try connection.withLock { connection in
            if connection == nil { connection = try Connection(path: path) }
            return try connection!.version()
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
