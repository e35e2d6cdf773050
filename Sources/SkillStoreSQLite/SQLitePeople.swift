import Foundation
import GRDB
import SkillCore
import SkillStore

/// A row of `people`: blind indexes, ciphertext and masked forms only.
struct PersonRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "people"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id
        case idType = "id_type", idIndex = "id_index", idCiphertext = "id_ciphertext", idMasked = "id_masked"
        case nameIndex = "name_index", nameCiphertext = "name_ciphertext", nameMasked = "name_masked"
        case registeredAt = "registered_at", eventID = "event_id"
    }
    var id: String
    var idType: String
    var idIndex: Data
    var idCiphertext: Data
    var idMasked: String
    var nameIndex: Data
    var nameCiphertext: Data
    var nameMasked: String
    var registeredAt: String
    var eventID: String
}

struct SQLitePeople: PersonStore {
    let db: Database

    func insert(_ p: SealedPerson, eventID: String) throws {
        try PersonRow(
            id: p.summary.id, idType: p.summary.idType.rawValue, idIndex: Data(p.idIndex), idCiphertext: Data(p.idCiphertext),
            idMasked: p.summary.maskedIDNumber, nameIndex: Data(p.nameIndex), nameCiphertext: Data(p.nameCiphertext),
            nameMasked: p.summary.maskedName, registeredAt: p.summary.registeredAt, eventID: eventID
        ).insert(db)
    }

    func person(_ id: String) throws -> PersonSummary? {
        let statement = try db.cachedStatement(sql: "SELECT id, id_type, id_masked, name_masked, registered_at FROM people WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        return PersonSummary(
            id: row["id"], idType: try requiredCase(row["id_type"], "people.id_type", row: id), maskedIDNumber: row["id_masked"],
            maskedName: row["name_masked"], registeredAt: row["registered_at"])
    }

    func sealedPeople(_ ids: [String]) throws -> [String: SealedPerson] {
        // Read by column: issuing reads the holder of every certificate this way.
        let statement = try db.cachedStatement(sql: """
            SELECT id_type, id_masked, name_masked, registered_at, id_index, id_ciphertext, name_index, name_ciphertext FROM people WHERE id = ?
            """)
        var found: [String: SealedPerson] = [:]
        for id in ids {
            guard let r = try Row.fetchOne(statement, arguments: [id]) else { continue }
            found[id] = SealedPerson(
                summary: PersonSummary(id: id, idType: try requiredCase(r[0], "people.id_type", row: id), maskedIDNumber: r[1], maskedName: r[2],
                                       registeredAt: r[3]),
                idIndex: Array(r[4] as Data), idCiphertext: Array(r[5] as Data), nameIndex: Array(r[6] as Data), nameCiphertext: Array(r[7] as Data))
        }
        return found
    }

    func erase(_ id: String, unlinkable: (idIndex: [UInt8], nameIndex: [UInt8]), erasedMask: String, at time: String) throws {
        try db.run("""
            UPDATE people SET id_index = ?, name_index = ?, id_ciphertext = X'', name_ciphertext = X'', id_masked = ?, name_masked = ?,
                              erased_at = ?
            WHERE id = ?
            """, [Data(unlinkable.idIndex), Data(unlinkable.nameIndex), erasedMask, erasedMask, time, id])
    }

    func personID(idIndex: [UInt8]) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM people WHERE id_index = ?"), arguments: [Data(idIndex)])
    }
}
