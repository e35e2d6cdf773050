import Foundation
import GRDB
import SkillCore

/// Who made a change: the operator at the CLI, or (later) a token holder over HTTP.
public struct Actor: Sendable, Hashable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    /// The registry operator working at the command line.
    public static let operatorCLI = Actor("operator:cli")
    public var description: String { value }
}

/// An event as stored: its canonical bytes are what the transparency log hashes.
public struct StoredEvent: Sendable, Hashable {
    public let seq: Int
    public let id: String
    public let type: String
    public let occurredAt: String
    public let actor: String
    public let canonical: [UInt8]
}

extension Ledger {
    /// Appends an event inside the caller's transaction.
    ///
    /// The event is `{"id","type","time","actor","subjects","change"}` in RFC 8785 canonical
    /// form. Callers put only ids, codes and amounts in `subjects` and `change`: never a name
    /// or an identity document number.
    /// - Returns: the event id.
    @discardableResult
    static func appendEvent(
        _ db: Database, type: String, actor: Actor, at date: Date, subjects: [String: JSONValue], change: JSONValue,
        id: String? = nil
    ) throws -> String {
        var log = LogAppender()
        return try appendEvent(db, type: type, actor: actor, at: date, subjects: subjects, change: change, id: id, log: &log)
    }

    /// Appends an event as above, its leaf through `log`: a run of appends through one appender
    /// reads no log node it wrote itself (see `LogAppender`).
    @discardableResult
    static func appendEvent(
        _ db: Database, type: String, actor: Actor, at date: Date, subjects: [String: JSONValue], change: JSONValue,
        id: String? = nil, log: inout LogAppender
    ) throws -> String {
        let eventID = id ?? IdentifierKind.event.make(at: date)
        let time = Timestamp.format(date)
        let body: JSONValue = [
            "id": .string(eventID), "type": .string(type), "time": .string(time), "actor": .string(actor.value),
            "subjects": .object(subjects), "change": change,
        ]
        let canonical = try body.canonicalBytes()
        let statement = try db.cachedStatement(
            sql: "INSERT INTO events(id, type, occurred_at, actor, canonical) VALUES (?, ?, ?, ?, ?)")
        try statement.execute(arguments: [eventID, type, time, actor.value, Data(canonical)])
        // The event's leaf joins the transparency log in the same transaction.
        try log.append(db, index: Int(db.lastInsertedRowID) - 1, canonical: canonical)
        return eventID
    }

    /// Events in order, optionally only those naming `subject` (an id) in their subjects.
    /// - Parameters:
    ///   - after: only events with a sequence number above this.
    ///   - limit: at most this many.
    public func events(after: Int = 0, limit: Int = 1_000) throws(SkillError) -> [StoredEvent] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, id, type, occurred_at, actor, canonical FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [after, limit]
            ).map(StoredEvent.init(row:))
        }
    }
}

extension StoredEvent {
    init(row: Row) {
        seq = row["seq"]
        id = row["id"]
        type = row["type"]
        occurredAt = row["occurred_at"]
        actor = row["actor"]
        canonical = Array(row["canonical"] as Data)
    }
}

extension Ledger {
    /// The sequence number of the newest event (0 for an empty ledger). Anything derived from
    /// the ledger may be cached until this changes.
    public func lastEventSequence() throws(SkillError) -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM events")) ?? 0 }
    }
}
