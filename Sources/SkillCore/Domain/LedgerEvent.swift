import Foundation

/// A change as the ledger records it: `{"id","type","time","actor","subjects","change"}`.
/// Its RFC 8785 canonical form is what the transparency log hashes. Callers put only ids,
/// codes and amounts in `subjects` and `change`: never a name or an identity document number.
public struct LedgerEvent: Sendable, Hashable {
    public let id: String
    public let type: String
    /// RFC 3339 UTC, as `Timestamp.format` writes it.
    public let time: String
    public let actor: String
    public let subjects: [String: JSONValue]
    public let change: JSONValue

    /// Makes an event stamped `date`, with a new id unless one is given.
    public init(type: String, actor: Actor, at date: Date, subjects: [String: JSONValue], change: JSONValue, id: String? = nil) {
        self.id = id ?? IdentifierKind.event.make(at: date)
        self.type = type
        time = Timestamp.format(date)
        self.actor = actor.value
        self.subjects = subjects
        self.change = change
    }

    /// The event as JSON (the body that is canonicalised).
    public var json: JSONValue {
        ["id": .string(id), "type": .string(type), "time": .string(time), "actor": .string(actor), "subjects": .object(subjects), "change": change]
    }

    /// The RFC 8785 canonical bytes: the log leaf's data.
    /// - Throws: `json.not-canonicalizable` (not for the values events hold).
    public func canonicalBytes() throws(SkillError) -> [UInt8] { try json.canonicalBytes() }
}

/// An event as stored: its sequence number (leaf index + 1), the columns that repeat what the
/// canonical event says, and the canonical bytes themselves.
public struct StoredEvent: Sendable, Hashable {
    public let seq: Int
    public let id: String
    public let type: String
    public let occurredAt: String
    public let actor: String
    public let canonical: [UInt8]

    public init(seq: Int, id: String, type: String, occurredAt: String, actor: String, canonical: [UInt8]) {
        self.seq = seq
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.actor = actor
        self.canonical = canonical
    }
}
