import Foundation
import GRDB
import SkillCore
import SkillStore

/// A row of `tokens`: the SHA-256 of the secret, never the secret.
struct TokenRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tokens"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, sha256, role
        case institutionID = "institution_id", personID = "person_id", createdAt = "created_at", expiresAt = "expires_at"
        case revokedAt = "revoked_at", eventID = "event_id"
    }
    var id: String
    var sha256: String
    var role: String
    var institutionID: String?
    var personID: String?
    var createdAt: String
    var expiresAt: String?
    var revokedAt: String?
    var eventID: String

    func record() throws -> TokenRecord {
        TokenRecord(id: id, role: try requiredCase(role, "tokens.role", row: id), institutionID: institutionID, personID: personID,
                    createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt)
    }
}

struct SQLiteTokens: TokenStore {
    let db: Database

    func insert(_ t: TokenRecord, sha256: String, eventID: String) throws {
        try TokenRow(id: t.id, sha256: sha256, role: t.role.rawValue, institutionID: t.institutionID, personID: t.personID, createdAt: t.createdAt,
                     expiresAt: t.expiresAt, revokedAt: t.revokedAt, eventID: eventID).insert(db)
    }

    func token(sha256: String) throws -> (record: TokenRecord, storedHash: String)? {
        guard let row = try TokenRow.fetchOne(db, cached: "SELECT * FROM tokens WHERE sha256 = ?", [sha256]) else { return nil }
        return (try row.record(), row.sha256)
    }

    func token(id: String) throws -> TokenRecord? {
        try TokenRow.fetchOne(db, cached: "SELECT * FROM tokens WHERE id = ?", [id])?.record()
    }

    func tokens() throws -> [TokenRecord] {
        try TokenRow.order(TokenRow.CodingKeys.id).fetchAll(db).map { try $0.record() }
    }

    func revokeAll(person: String, at time: String) throws {
        try db.run("UPDATE tokens SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL", [time, person])
    }

    func revoke(_ id: String, at time: String) throws {
        try db.run("UPDATE tokens SET revoked_at = ? WHERE id = ?", [time, id])
    }

    func idempotentResponse(token: String, key: String) throws -> IdempotentResponse? {
        let statement = try db.cachedStatement(sql: "SELECT request, status, body FROM idempotency WHERE token_id = ? AND key = ?")
        return try Row.fetchOne(statement, arguments: [token, key]).map { IdempotentResponse(request: $0[0], status: $0[1], body: Array($0[2] as Data)) }
    }

    func keepIdempotentResponse(_ r: IdempotentResponse, token: String, key: String, at time: String) throws {
        try db.run("""
            INSERT INTO idempotency(token_id, key, request, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(token_id, key) DO NOTHING
            """, [token, key, r.request, r.status, Data(r.body), time])
    }
}
