import Foundation
import GRDB
import SkillCore
import SkillCrypto

extension Ledger {
    /// Registers a worker. The name and document number are stored only as blind indexes,
    /// ciphertext and masked forms; the event carries neither.
    /// - Returns: the new person, masked.
    /// - Throws: `person.name-invalid`, `person.id-number-invalid`, `ledger.person-exists`
    ///   (the same document is already registered; the message names the existing id).
    public func registerPerson(name: String, idType: IDType, idNumber: String, actor: Actor = .operatorCLI) throws(SkillError) -> PersonSummary {
        let prepared = try preparePerson(name: name, idType: idType, idNumber: idNumber)
        let date = now
        try write { db in try Ledger.insertPerson(db, prepared, actor: actor, at: date) }
        return prepared.summary
    }

    /// A validated, sealed person ready to insert; made before the transaction where it can
    /// be, so that encryption does not hold the write lock.
    struct PreparedPerson {
        let summary: PersonSummary
        let idIndex: [UInt8]
        let idCiphertext: [UInt8]
        let nameIndex: [UInt8]
        let nameCiphertext: [UInt8]
    }

    func preparePerson(name rawName: String, idType: IDType, idNumber: String, at date: Date? = nil) throws(SkillError) -> PreparedPerson {
        let name: PersonName
        do { name = try PersonName(rawName) } catch { throw error.at("--name") }
        let document: PersonalID
        do { document = try PersonalID(type: idType, number: idNumber, provinces: standards.provinceCodes) } catch {
            throw error.at("--id-number")
        }
        let time = date ?? now
        let id = IdentifierKind.person.make(at: time)
        return PreparedPerson(
            summary: PersonSummary(
                id: id, idType: idType, maskedIDNumber: document.masked, maskedName: name.masked, registeredAt: Timestamp.format(time)),
            idIndex: vault.index(of: document),
            idCiphertext: try vault.seal(document.number, record: id, column: "id_number"),
            nameIndex: vault.index(of: name),
            nameCiphertext: try vault.seal(name.value, record: id, column: "name"))
    }

    static func insertPerson(_ db: Database, _ p: PreparedPerson, actor: Actor, at date: Date) throws {
        if let existing = try String.fetchOne(
            db, sql: "SELECT id FROM people WHERE id_index = ?", arguments: [Data(p.idIndex)])
        {
            throw SkillError(.personExists, "this identity document is already registered as \(existing)", field: "--id-number")
        }
        let event = try appendEvent(
            db, type: "person.registered", actor: actor, at: date, subjects: ["person": .string(p.summary.id)],
            change: ["id_type": .string(p.summary.idType.rawValue)])
        try db.cachedStatement(sql: """
            INSERT INTO people(id, id_type, id_index, id_ciphertext, id_masked, name_index, name_ciphertext, name_masked, registered_at, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                p.summary.id, p.summary.idType.rawValue, Data(p.idIndex), Data(p.idCiphertext), p.summary.maskedIDNumber,
                Data(p.nameIndex), Data(p.nameCiphertext), p.summary.maskedName, p.summary.registeredAt, event,
            ])
    }

    /// One person, masked.
    /// - Throws: `ledger.person-not-found`.
    public func person(_ id: String) throws(SkillError) -> PersonSummary {
        try read { db in try Ledger.requirePerson(db, id) }
    }

    /// Finds a person by identity document (through its blind index; the number is not stored).
    /// - Returns: the person, or nil.
    /// - Throws: `person.id-number-invalid` when the number is not valid for its type.
    public func findPerson(idType: IDType, idNumber: String) throws(SkillError) -> PersonSummary? {
        let document: PersonalID
        do { document = try PersonalID(type: idType, number: idNumber, provinces: standards.provinceCodes) } catch {
            throw error.at("--id-number")
        }
        let index = Data(vault.index(of: document))
        return try read { db in
            guard let id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM people WHERE id_index = ?"), arguments: [index]) else { return nil }
            return try Ledger.requirePerson(db, id)
        }
    }

    /// The clear name and document number, for the operator's eyes only (never logged).
    /// - Throws: `ledger.person-not-found`, `crypto.decryption-failed`.
    public func revealPerson(_ id: String) throws(SkillError) -> (name: String, idNumber: String) {
        let row = try read { db in try Row.fetchOne(db.cachedStatement(sql: "SELECT name_ciphertext, id_ciphertext FROM people WHERE id = ?"), arguments: [id]) }
        guard let row else { throw SkillError(.personNotFound, "no person '\(id.prefix(40))'", field: "person") }
        return (try vault.open(Array(row["name_ciphertext"] as Data), record: id, column: "name"),
                try vault.open(Array(row["id_ciphertext"] as Data), record: id, column: "id_number"))
    }

    static func requirePerson(_ db: Database, _ id: String) throws -> PersonSummary {
        let statement = try db.cachedStatement(sql: "SELECT id, id_type, id_masked, name_masked, registered_at FROM people WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else {
            throw SkillError(.personNotFound, "no person '\(id.prefix(40))'", field: "person")
        }
        return PersonSummary(
            id: row["id"], idType: IDType(rawValue: row["id_type"])!, maskedIDNumber: row["id_masked"],
            maskedName: row["name_masked"], registeredAt: row["registered_at"])
    }
}
