import Foundation
import SkillCore
import SkillCrypto
import SkillStore

/// Bearer tokens for the HTTP API (only their SHA-256 is stored) and the responses kept for
/// idempotent retries.
public struct Tokens: Sendable {
    let context: BankContext

    /// Makes a bearer token. The secret is returned once and only its SHA-256 is stored.
    /// - Parameters:
    ///   - role: operator, institution or worker.
    ///   - institution: required for (and only for) an institution token.
    ///   - person: required for (and only for) a worker token.
    ///   - expires: the last day it works, if any.
    /// - Returns: the record and the secret (`sb_…`).
    /// - Throws: `input.usage` for a missing or extra subject, `input.invalid-field` (expires in
    ///   the past), `ledger.*-not-found`.
    public func create(role: Role, institution: String? = nil, person: String? = nil, expires: CalendarDate? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> (TokenRecord, String) {
        switch role {
        case .operator where institution != nil || person != nil:
            throw SkillError(.usage, "an operator token names no institution or person")
        case .institution where institution == nil || person != nil:
            throw SkillError(.usage, "an institution token needs an institution (and no person)", field: "institution")
        case .worker where person == nil || institution != nil:
            throw SkillError(.usage, "a worker token needs a person (and no institution)", field: "person")
        default: break
        }
        var secretBytes = try SecureRandom.bytes(32)
        defer { scrub(&secretBytes) }
        let secret = "sb_" + Hex.encode(secretBytes)
        let hash = Hex.encode(SHA256.hash(secret))
        let date = context.now
        // A token that would never work is a mistake, not a choice: refuse it.
        if let expires, expires < context.today {
            throw SkillError(.invalidField, "expires \(expires) is in the past (today is \(context.today)); give today or a later day", field: "expires")
        }
        // A token works through the end of its last day in China Standard Time.
        let expiresAt = expires.flatMap { Timestamp.parse("\($0)T23:59:59+08:00") }.map(Timestamp.format)
        let record = TokenRecord(
            id: IdentifierKind.token.make(at: date), role: role, institutionID: institution, personID: person, createdAt: Timestamp.format(date),
            expiresAt: expiresAt, revokedAt: nil)
        try context.write { tx in
            if let institution { _ = try context.requireInstitution(tx, institution) }
            if let person { _ = try context.requirePerson(tx, person, forChange: true) }
            // The event names whom the token speaks for, never the token or its id.
            let event = try context.append(
                tx, "token.created", actor: actor, at: date, subjects: Self.subjects(of: record),
                change: ["role": .string(role.rawValue), "expires_at": .optional(expiresAt)])
            try tx.tokens.insert(record, sha256: hash, eventID: event)
        }
        return (record, secret)
    }

    /// An event's subjects for a token: the institution or person it speaks for.
    static func subjects(of token: TokenRecord) -> [String: JSONValue] {
        var subjects: [String: JSONValue] = [:]
        if let institution = token.institutionID { subjects["institution"] = .string(institution) }
        if let person = token.personID { subjects["person"] = .string(person) }
        return subjects
    }

    /// The token a bearer secret belongs to, if it exists, is not revoked and has not expired.
    /// The look-up is by SHA-256, and the stored hash is compared again in constant time. A token
    /// read since the last commit (by any connection) is answered from memory; revoking one is a
    /// commit, so it takes effect on the next request.
    public func authenticate(_ secret: String) throws(SkillError) -> TokenRecord? {
        let hash = Hex.encode(SHA256.hash(secret))
        let version = try context.store.changeVersion()
        let token: TokenRecord
        if let known = context.tokenCache.token(hash, at: version) {
            token = known
        } else {
            let stored = try context.read { tx -> TokenRecord? in
                guard let (record, storedHash) = try tx.tokens.token(sha256: hash),
                    ConstantTime.equal(Array(storedHash.utf8), Array(hash.utf8))
                else { return nil }
                return record
            }
            guard let stored else { return nil }
            context.tokenCache.remember(stored, hash: hash, at: version)
            token = stored
        }
        return token.isUsable(at: Timestamp.format(context.now)) ? token : nil
    }

    /// Every token's record.
    public func all() throws(SkillError) -> [TokenRecord] {
        try context.read { tx in try tx.tokens.tokens() }
    }

    /// Revokes a token at once.
    /// - Throws: `ledger.token-not-found`, `ledger.transition-invalid` when already revoked.
    public func revoke(_ id: String, actor: Actor = .operatorCLI) throws(SkillError) -> TokenRecord {
        let date = context.now
        return try context.write { tx in
            guard let token = try tx.tokens.token(id: id) else { throw SkillError(.tokenNotFound, "no token '\(id.prefix(40))'", field: "token") }
            guard token.revokedAt == nil else { throw SkillError(.transitionInvalid, "the token is already revoked") }
            try context.append(tx, "token.revoked", actor: actor, at: date, subjects: Self.subjects(of: token),
                               change: ["role": .string(token.role.rawValue), "created_at": .string(token.createdAt)])
            try tx.tokens.revoke(id, at: Timestamp.format(date))
            guard let revoked = try tx.tokens.token(id: id) else { throw SkillError(.tokenNotFound, "no token '\(id.prefix(40))'", field: "token") }
            return revoked
        }
    }

    /// A stored response for a retried POST with the same Idempotency-Key, if there is one.
    /// - Returns: status and body, or nil; `request` must match what the key was first used for.
    /// - Throws: `input.invalid-field` when the key was used for a different request.
    public func idempotentResponse(token: String, key: String, request: String) throws(SkillError) -> (status: Int, body: [UInt8])? {
        guard let kept = try context.read({ tx in try tx.tokens.idempotentResponse(token: token, key: key) }) else { return nil }
        guard kept.request == request else {
            throw SkillError(.invalidField, "this Idempotency-Key was used for a different request", field: "Idempotency-Key")
        }
        return (kept.status, kept.body)
    }

    /// Keeps a response so a retry with the same key gets it again.
    public func keepIdempotentResponse(token: String, key: String, request: String, status: Int, body: [UInt8]) throws(SkillError) {
        let time = Timestamp.format(context.now)
        try context.write { tx in
            try tx.tokens.keepIdempotentResponse(IdempotentResponse(request: request, status: status, body: body), token: token, key: key, at: time)
        }
    }
}
