import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// What an erasure destroyed.
public struct ErasureReport: Sendable {
    /// Events whose bodies were dropped, their leaves kept as commitments.
    public let events: Int
    /// Certificates whose sealed identity salts were destroyed.
    public let certificates: Int
    /// The `person.erased` event.
    public let eventID: String

    public var json: JSONValue { ["events": .int(events), "certificates": .int(certificates), "event": .string(eventID)] }
}

extension Registration {
    /// How an erased person is shown where a masked name or number was.
    public static let erasedMask = "[erased]"

    /// Destroys a person's personal data (crypto-shredding) while the log, the credits and the
    /// certificates stay verifiable: the name and ID number ciphertext goes and the blind indexes
    /// are replaced by random values (so nothing matches them again); the sealed identity salts of
    /// their certificates go (their hashed identifiers can never be tied to an ID number again);
    /// the bodies of the events that name them go, each leaf kept as its commitment; their tokens
    /// are revoked. One `person.erased` event records that it happened, without saying who. The
    /// store then clears what it freed from its files.
    /// - Returns: what was destroyed.
    /// - Throws: `ledger.person-not-found`, `ledger.transition-invalid` (already erased).
    public func erase(person id: String, reason: ErasureReason, actor: Actor = .operatorCLI) throws(SkillError) -> ErasureReport {
        let date = context.now
        let unlinkable = (idIndex: try SecureRandom.bytes(32), nameIndex: try SecureRandom.bytes(32))
        let report = try context.write { tx in
            let person = try context.requirePerson(tx, id)
            guard person.maskedName != Self.erasedMask else { throw SkillError(.transitionInvalid, "this person's data was already erased") }
            let eventIDs = try tx.log.eventIDs(person: id)
            for eventID in eventIDs {
                guard let event = try tx.log.event(id: eventID), !event.isErased else { continue }
                try tx.log.dropBody(of: eventID, keeping: Self.commitment(of: event))
            }
            let certificates = try tx.certificates.certificates(of: id).count
            // The insurance figures are kept by the same blind index the person row is about to lose.
            if let sealed = try tx.people.sealedPerson(id) { try tx.subsidies.removeInsurance(index: sealed.idIndex) }
            try tx.certificates.dropIdentitySalts(person: id)
            try tx.people.erase(id, unlinkable: unlinkable, erasedMask: Self.erasedMask, at: Timestamp.format(date))
            try tx.tokens.revokeAll(person: id, at: Timestamp.format(date))
            try tx.sessions.revokeSessions(person: id, at: Timestamp.format(date))
            // The inbox and the talent pool hold nothing that must outlive the person.
            try tx.notices.remove(person: id)
            try tx.talent.remove(person: id)
            // Says that an erasure happened and why, not whose.
            let event = try context.append(
                tx, "person.erased", actor: actor, at: date, subjects: [:],
                change: ["reason": .string(reason.rawValue), "events": .int(eventIDs.count), "certificates": .int(certificates)])
            return ErasureReport(events: eventIDs.count, certificates: certificates, eventID: event)
        }
        try context.store.purgeFreedSpace()
        return report
    }

    /// What stays of an event whose body is dropped: its commitment (version 2), or for an
    /// event written before commitments, `0x01` and its leaf hash.
    static func commitment(of event: StoredEvent) -> [UInt8] {
        if event.salt != nil, let commitment = event.commitment { return commitment }
        return [TransparencyLog.erasedVersion1] + MerkleTree.leafHash(event.canonical)
    }
}
