import Foundation
import GRDB
import SkillCore
import SkillCrypto
import Synchronization

/// Who a bearer token speaks for.
public enum Role: String, Sendable, CaseIterable {
    case `operator`, institution, worker
}

/// A token's record (never the token itself).
public struct TokenRecord: Sendable, Hashable {
    public let id: String
    public let role: Role
    public let institutionID: String?
    public let personID: String?
    public let createdAt: String
    public let expiresAt: String?
    public let revokedAt: String?

    public var json: JSONValue {
        [
            "id": .string(id), "role": .string(role.rawValue), "institution": .optional(institutionID), "person": .optional(personID),
            "created_at": .string(createdAt), "expires_at": .optional(expiresAt), "revoked_at": .optional(revokedAt),
        ]
    }

    init(row: Row) {
        id = row["id"]
        role = Role(rawValue: row["role"])!
        institutionID = row["institution_id"]
        personID = row["person_id"]
        createdAt = row["created_at"]
        expiresAt = row["expires_at"]
        revokedAt = row["revoked_at"]
    }
}

/// Tokens read since the last commit, by the SHA-256 of their secret. All of them are dropped
/// as soon as the change version moves, so a revocation or a new token is never answered from
/// an older read. Unknown secrets are not kept: guessing cannot fill it.
final class TokenCache: Sendable {
    private struct State {
        var version: ChangeVersion?
        var tokens: [String: TokenRecord] = [:]
    }
    /// Beyond this many live tokens the cache starts again (each entry is a few hundred bytes).
    static let capacity = 10_000
    private let state = Mutex(State())

    func token(_ hash: String, at version: ChangeVersion) -> TokenRecord? {
        state.withLock { $0.version == version ? $0.tokens[hash] : nil }
    }

    /// Keeps `token`, read at `version` (taken before the read, so a commit racing with the
    /// read makes the next look-up miss rather than see a stale record).
    func remember(_ token: TokenRecord, hash: String, at version: ChangeVersion) {
        state.withLock { state in
            if state.version != version || state.tokens.count >= TokenCache.capacity {
                state = State(version: version)
            }
            state.tokens[hash] = token
        }
    }
}

extension Ledger {
    /// Makes a bearer token. The secret is returned once and only its SHA-256 is stored.
    /// - Parameters:
    ///   - role: operator, institution or worker.
    ///   - institution: required for (and only for) an institution token.
    ///   - person: required for (and only for) a worker token.
    ///   - expires: the last day it works, if any.
    /// - Returns: the record and the secret (`sb_…`).
    /// - Throws: `input.usage` for a missing or extra subject, `ledger.*-not-found`.
    public func createToken(role: Role, institution: String? = nil, person: String? = nil, expires: CalendarDate? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> (TokenRecord, String) {
        switch role {
        case .operator where institution != nil || person != nil:
            throw SkillError(.usage, "an operator token names no institution or person")
        case .institution where institution == nil || person != nil:
            throw SkillError(.usage, "an institution token needs --institution (and no --person)", field: "--institution")
        case .worker where person == nil || institution != nil:
            throw SkillError(.usage, "a worker token needs --person (and no --institution)", field: "--person")
        default: break
        }
        var secretBytes = try SecureRandom.bytes(32)
        defer { scrub(&secretBytes) }
        let secret = "sb_" + Hex.encode(secretBytes)
        let hash = Hex.encode(SHA256.hash(secret))
        let date = now
        let id = IdentifierKind.token.make(at: date)
        // A token works through the end of its last day in China Standard Time.
        let expiresAt = expires.map { Timestamp.format(Timestamp.parse("\($0)T23:59:59+08:00")!) }
        let record = try write { db in
            if let institution { _ = try Ledger.requireInstitution(db, institution) }
            if let person { _ = try Ledger.requirePerson(db, person) }
            let event = try Ledger.appendEvent(
                db, type: "token.created", actor: actor, at: date, subjects: ["token": .string(id)],
                change: ["role": .string(role.rawValue), "institution": .optional(institution), "person": .optional(person), "expires_at": .optional(expiresAt)])
            try db.execute(
                sql: "INSERT INTO tokens(id, sha256, role, institution_id, person_id, created_at, expires_at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [id, hash, role.rawValue, institution, person, Timestamp.format(date), expiresAt, event])
            return TokenRecord(row: try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE id = ?", arguments: [id])!)
        }
        return (record, secret)
    }

    /// The token a bearer secret belongs to, if it exists, is not revoked and has not expired.
    /// The look-up is by SHA-256, and the stored hash is compared again in constant time. A token
    /// read since the last commit (by any connection) is answered from memory; revoking one is a
    /// commit, so it takes effect on the next request.
    public func authenticate(_ secret: String) throws(SkillError) -> TokenRecord? {
        let hash = Hex.encode(SHA256.hash(secret))
        let version = try changeVersion()
        let token: TokenRecord
        if let known = tokenCache.token(hash, at: version) {
            token = known
        } else {
            let stored = try read { db -> TokenRecord? in
                guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE sha256 = ?"), arguments: [hash]) else { return nil }
                guard ConstantTime.equal(Array((row["sha256"] as String).utf8), Array(hash.utf8)) else { return nil }
                return TokenRecord(row: row)
            }
            guard let stored else { return nil }
            tokenCache.remember(stored, hash: hash, at: version)
            token = stored
        }
        return isUsable(token) ? token : nil
    }

    /// The token for `secret` when it was authenticated since the last commit and is still
    /// usable; nil means only that `authenticate` must ask the database. One probe of the
    /// change version and no read transaction, so a server can call it in the request's own
    /// task instead of sending it to a thread pool.
    public func recentlyAuthenticated(_ secret: String) throws(SkillError) -> TokenRecord? {
        let hash = Hex.encode(SHA256.hash(secret))
        guard let token = tokenCache.token(hash, at: try changeVersion()) else { return nil }
        return isUsable(token) ? token : nil
    }

    private func isUsable(_ token: TokenRecord) -> Bool {
        if token.revokedAt != nil { return false }
        if let expires = token.expiresAt, expires < Timestamp.format(now) { return false }
        return true
    }

    /// Every token's record.
    public func tokens() throws(SkillError) -> [TokenRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY id").map(TokenRecord.init(row:)) }
    }

    /// Revokes a token at once.
    /// - Throws: `ledger.token-not-found`, `ledger.transition-invalid` when already revoked.
    public func revokeToken(_ id: String, actor: Actor = .operatorCLI) throws(SkillError) -> TokenRecord {
        let date = now
        return try write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE id = ?"), arguments: [id]) else {
                throw SkillError(.tokenNotFound, "no token '\(id.prefix(40))'")
            }
            guard TokenRecord(row: row).revokedAt == nil else { throw SkillError(.transitionInvalid, "the token is already revoked") }
            try Ledger.appendEvent(db, type: "token.revoked", actor: actor, at: date, subjects: ["token": .string(id)], change: [:])
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE id = ?", arguments: [Timestamp.format(date), id])
            return TokenRecord(row: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE id = ?"), arguments: [id])!)
        }
    }

    /// A stored response for a retried POST with the same Idempotency-Key, if there is one.
    /// - Returns: status and body, or nil; `request` must match what the key was first used for.
    /// - Throws: `input.invalid-field` when the key was used for a different request.
    public func idempotentResponse(token: String, key: String, request: String) throws(SkillError) -> (status: Int, body: [UInt8])? {
        try read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM idempotency WHERE token_id = ? AND key = ?"), arguments: [token, key]) else { return nil }
            guard row["request"] == request else {
                throw SkillError(.invalidField, "this Idempotency-Key was used for a different request", field: "Idempotency-Key")
            }
            return (row["status"], Array(row["body"] as Data))
        }
    }

    /// Keeps a response so a retry with the same key gets it again.
    public func storeIdempotentResponse(token: String, key: String, request: String, status: Int, body: [UInt8]) throws(SkillError) {
        let time = Timestamp.format(now)
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO idempotency(token_id, key, request, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [token, key, request, status, Data(body), time])
        }
    }
}
