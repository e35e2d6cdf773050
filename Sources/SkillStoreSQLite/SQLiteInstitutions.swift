import Foundation
import GRDB
import SkillCore
import SkillStore

/// A row of `institutions`.
struct InstitutionRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "institutions"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, name, kind, code, province, status
        case registeredAt = "registered_at", eventID = "event_id", evaluatorCode = "evaluator_code", siteSequence = "site_sequence"
    }
    var id: String
    var name: String
    var kind: String
    var code: String
    var province: String?
    var status: String
    var registeredAt: String
    var eventID: String
    var evaluatorCode: String
    var siteSequence: String
}

/// A row of `accreditations` (levels as a comma-separated list).
struct AccreditationRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "accreditations"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, occupation, levels
        case institutionID = "institution_id", validFrom = "valid_from", validUntil = "valid_until", eventID = "event_id"
    }
    var id: String
    var institutionID: String
    var occupation: String
    var levels: String
    var validFrom: String
    var validUntil: String?
    var eventID: String

    func accreditation() throws -> Accreditation {
        Accreditation(
            id: id, occupation: occupation, levels: levels.split(separator: ",").compactMap { Int($0) },
            validFrom: try requiredDate(validFrom, "accreditations.valid_from", row: id), validUntil: calendarDate(validUntil))
    }
}

/// A row of `keys`.
struct KeyRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "keys"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, did
        case ownerID = "owner_id", publicKey = "public_key", encryptedPEM = "encrypted_pem", validFrom = "valid_from", validUntil = "valid_until"
        case eventID = "event_id"
    }
    var id: String
    var ownerID: String
    var did: String
    var publicKey: Data
    var encryptedPEM: String
    var validFrom: String
    var validUntil: String?
    var eventID: String

    var record: KeyRecord {
        KeyRecord(id: id, ownerID: ownerID, did: did, publicKey: Array(publicKey), validFrom: validFrom, validUntil: validUntil)
    }
}

struct SQLiteInstitutions: InstitutionStore {
    let db: Database

    func insert(_ i: Institution, eventID: String) throws {
        try InstitutionRow(
            id: i.id, name: i.name, kind: i.kind.rawValue, code: i.code, province: i.province, status: i.isSuspended ? "suspended" : "active",
            registeredAt: i.registeredAt, eventID: eventID, evaluatorCode: i.evaluatorCode, siteSequence: i.siteSequence
        ).insert(db)
    }

    func institution(_ id: String) throws -> Institution? {
        guard let row = try InstitutionRow.fetchOne(db, cached: "SELECT * FROM institutions WHERE id = ?", [id]) else { return nil }
        return try institution(row)
    }

    func institutionID(code: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM institutions WHERE code = ?"), arguments: [code])
    }

    func institutions(after cursor: String?, limit: Int?) throws -> [Institution] {
        var request = InstitutionRow.filter(InstitutionRow.CodingKeys.id > (cursor ?? "")).order(InstitutionRow.CodingKeys.id)
        if let limit { request = request.limit(limit) }
        return try request.fetchAll(db).map(institution)
    }

    func insertAccreditation(_ a: Accreditation, institution: String, eventID: String) throws {
        try AccreditationRow(
            id: a.id, institutionID: institution, occupation: a.occupation, levels: a.levels.map(String.init).joined(separator: ","),
            validFrom: a.validFrom.description, validUntil: a.validUntil?.description, eventID: eventID
        ).insert(db)
    }

    func setSuspended(_ id: String, _ suspended: Bool) throws {
        try db.run("UPDATE institutions SET status = ? WHERE id = ?", [suspended ? "suspended" : "active", id])
    }

    /// The institution of a row, with its scopes and key history.
    private func institution(_ row: InstitutionRow) throws -> Institution {
        let scopes = try AccreditationRow.fetchAll(db, cached: "SELECT * FROM accreditations WHERE institution_id = ? ORDER BY id", [row.id])
        let kind: InstitutionKind = try requiredCase(row.kind, "institutions.kind", row: row.id)
        return Institution(
            id: row.id, name: row.name, kind: kind, code: row.code, province: row.province, isSuspended: row.status == "suspended",
            registeredAt: row.registeredAt, accreditations: try scopes.map { try $0.accreditation() }, evaluatorCode: row.evaluatorCode,
            siteSequence: row.siteSequence, keys: try SQLiteKeys(db: db).keys(of: row.id))
    }
}

struct SQLiteKeys: KeyStore {
    let db: Database

    func insert(_ key: KeyRecord, encryptedPEM: String, eventID: String) throws {
        try KeyRow(id: key.id, ownerID: key.ownerID, did: key.did, publicKey: Data(key.publicKey), encryptedPEM: encryptedPEM,
                   validFrom: key.validFrom, validUntil: key.validUntil, eventID: eventID).insert(db)
    }

    func keys(of owner: String) throws -> [KeyRecord] {
        try KeyRow.fetchAll(db, cached: "SELECT * FROM keys WHERE owner_id = ? ORDER BY valid_from, id", [owner]).map(\.record)
    }

    func currentKey(of owner: String) throws -> (record: KeyRecord, encryptedPEM: String)? {
        let row = try KeyRow.fetchOne(
            db, cached: "SELECT * FROM keys WHERE owner_id = ? AND valid_until IS NULL ORDER BY valid_from DESC LIMIT 1", [owner])
        return row.map { ($0.record, $0.encryptedPEM) }
    }

    func retireKeys(of owner: String, at time: String) throws {
        try db.run("UPDATE keys SET valid_until = ? WHERE owner_id = ? AND valid_until IS NULL", [time, owner])
    }
}
