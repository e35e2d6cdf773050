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
/// canonical event says, the canonical bytes, and how its log leaf is made.
///
/// Events written before commitments (leaf version 1) are leaves of their canonical bytes. Since
/// then (version 2) an event's leaf is a commitment to it, `0x02 ‖ SHA-256(salt ‖ canonical)`,
/// with a random salt kept in the ledger: anyone may read the leaves without learning anything,
/// or linking two events of one person; the holder of a certificate discloses its issuance event
/// with the salt. When a person is erased, the bodies of their events are dropped and the
/// commitment (for a version-1 event, its leaf hash) is all that remains of them.
public struct StoredEvent: Sendable, Hashable {
    public let seq: Int
    public let id: String
    public let type: String
    public let occurredAt: String
    public let actor: String
    /// The canonical bytes; empty once the event's person was erased.
    public let canonical: [UInt8]
    /// The commitment's salt (version 2, while the body is kept).
    public let salt: [UInt8]?
    /// SHA-256(salt ‖ canonical) for version 2; for an erased version-1 event, its leaf hash.
    public let commitment: [UInt8]?

    public init(seq: Int, id: String, type: String, occurredAt: String, actor: String, canonical: [UInt8], salt: [UInt8]? = nil,
                commitment: [UInt8]? = nil) {
        self.seq = seq
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.actor = actor
        self.canonical = canonical
        self.salt = salt
        self.commitment = commitment
    }

    /// Whether the body was dropped by an erasure.
    public var isErased: Bool { canonical.isEmpty }
}
