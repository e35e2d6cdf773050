import Foundation
import SkillCore
import SkillStore

struct PostgresMeta: MetaStore {
    let db: PostgresSession

    func value(_ key: String) throws -> String? { try db.string("SELECT value FROM meta WHERE key = $1", [key]) }

    func insertValue(_ value: String, for key: String) throws {
        try db.run("INSERT INTO meta(key, value) VALUES ($1, $2)", [key, value])
    }

    func standardsFiles() throws -> [StandardsFile] {
        try db.rows("SELECT name, data, schema FROM standards_files ORDER BY name").map {
            StandardsFile(name: try $0.string(0), data: try $0.bytes(1), schema: try $0.bytes(2))
        }
    }

    func insertStandardsFile(_ file: StandardsFile, sha256: String) throws {
        try db.run("INSERT INTO standards_files(name, data, schema, sha256) VALUES ($1, $2, $3, $4)", [file.name, file.data, file.schema, sha256])
    }
}

struct PostgresInstitutions: InstitutionStore {
    let db: PostgresSession

    func insert(_ i: Institution, eventID: String) throws {
        try db.run("""
            INSERT INTO institutions(id, name, kind, code, province, status, registered_at, event_id, evaluator_code, site_sequence)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [i.id, i.name, i.kind.rawValue, i.code, i.province, i.isSuspended ? "suspended" : "active", i.registeredAt, eventID,
                  i.evaluatorCode, i.siteSequence])
    }

    private static let columns = "id, name, kind, code, province, status, registered_at, evaluator_code, site_sequence"

    func institution(_ id: String) throws -> Institution? {
        try db.row("SELECT \(Self.columns) FROM institutions WHERE id = $1", [id]).map(institution)
    }

    func institutionID(code: String) throws -> String? { try db.string("SELECT id FROM institutions WHERE code = $1", [code]) }

    func institutions(after cursor: String?, limit: Int?) throws -> [Institution] {
        try db.rows("SELECT \(Self.columns) FROM institutions WHERE id > $1 ORDER BY id LIMIT $2", [cursor ?? "", limit]).map(institution)
    }

    func insertAccreditation(_ a: Accreditation, institution: String, eventID: String) throws {
        try db.run("""
            INSERT INTO accreditations(id, institution_id, occupation, levels, valid_from, valid_until, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [a.id, institution, a.occupation, a.levels.map(String.init).joined(separator: ","), a.validFrom.description,
                  a.validUntil?.description, eventID])
    }

    func setSuspended(_ id: String, _ suspended: Bool) throws {
        try db.run("UPDATE institutions SET status = $1 WHERE id = $2", [suspended ? "suspended" : "active", id])
    }

    /// The institution of a row, with its scopes and key history.
    private func institution(_ r: SQLRow) throws -> Institution {
        let id = try r.string(0)
        let scopes = try db.rows("SELECT id, occupation, levels, valid_from, valid_until FROM accreditations WHERE institution_id = $1 ORDER BY id", [id])
            .map { s in
                let scope = try s.string(0)
                return Accreditation(
                    id: scope, occupation: try s.string(1), levels: try s.string(2).split(separator: ",").compactMap { Int($0) },
                    validFrom: try requiredDate(try s.string(3), "accreditations.valid_from", row: scope),
                    validUntil: try s.optionalString(4).flatMap(CalendarDate.init(iso:)))
            }
        return Institution(
            id: id, name: try r.string(1), kind: try requiredCase(try r.string(2), "institutions.kind", row: id), code: try r.string(3),
            province: try r.optionalString(4), isSuspended: try r.string(5) == "suspended", registeredAt: try r.string(6),
            accreditations: scopes, evaluatorCode: try r.string(7), siteSequence: try r.string(8), keys: try PostgresKeys(db: db).keys(of: id))
    }
}

struct PostgresKeys: KeyStore {
    let db: PostgresSession

    func insert(_ key: KeyRecord, encryptedPEM: String, eventID: String) throws {
        try db.run("""
            INSERT INTO keys(id, owner_id, did, public_key, encrypted_pem, valid_from, valid_until, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [key.id, key.ownerID, key.did, key.publicKey, encryptedPEM, key.validFrom, key.validUntil, eventID])
    }

    private static let columns = "id, owner_id, did, public_key, valid_from, valid_until, encrypted_pem"

    private static func record(_ r: SQLRow) throws -> KeyRecord {
        KeyRecord(id: try r.string(0), ownerID: try r.string(1), did: try r.string(2), publicKey: try r.bytes(3), validFrom: try r.string(4),
                  validUntil: try r.optionalString(5))
    }

    func keys(of owner: String) throws -> [KeyRecord] {
        try db.rows("SELECT \(Self.columns) FROM keys WHERE owner_id = $1 ORDER BY valid_from, id", [owner]).map(Self.record)
    }

    func currentKey(of owner: String) throws -> (record: KeyRecord, encryptedPEM: String)? {
        guard let r = try db.row("""
            SELECT \(Self.columns) FROM keys WHERE owner_id = $1 AND valid_until IS NULL ORDER BY valid_from DESC LIMIT 1
            """, [owner]) else { return nil }
        return (try Self.record(r), try r.string(6))
    }

    func retireKeys(of owner: String, at time: String) throws {
        try db.run("UPDATE keys SET valid_until = $1 WHERE owner_id = $2 AND valid_until IS NULL", [time, owner])
    }
}

struct PostgresPeople: PersonStore {
    let db: PostgresSession

    func insert(_ p: SealedPerson, eventID: String) throws {
        let s = p.summary
        // With its routing row, in one statement: an identity document already registered fails there.
        try db.run("""
            WITH routed AS (INSERT INTO person_index(id_index, person_id) VALUES ($3, $1))
            INSERT INTO people(id, id_type, id_index, id_ciphertext, id_masked, name_index, name_ciphertext, name_masked, registered_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [s.id, s.idType.rawValue, p.idIndex, p.idCiphertext, s.maskedIDNumber, p.nameIndex, p.nameCiphertext, s.maskedName,
                  s.registeredAt, eventID])
    }

    func person(_ id: String) throws -> PersonSummary? {
        guard let r = try db.row("SELECT id_type, id_masked, name_masked, registered_at FROM people WHERE id = $1", [id]) else { return nil }
        return PersonSummary(id: id, idType: try requiredCase(try r.string(0), "people.id_type", row: id), maskedIDNumber: try r.string(1),
                             maskedName: try r.string(2), registeredAt: try r.string(3))
    }

    func sealedPeople(_ ids: [String]) throws -> [String: SealedPerson] {
        var found: [String: SealedPerson] = [:]
        for r in try db.rows("""
            SELECT id, id_type, id_masked, name_masked, registered_at, id_index, id_ciphertext, name_index, name_ciphertext FROM people WHERE id = ANY($1)
            """, [SQLArray(ids)]) {
            let id = try r.string(0)
            found[id] = SealedPerson(
                summary: PersonSummary(id: id, idType: try requiredCase(try r.string(1), "people.id_type", row: id), maskedIDNumber: try r.string(2),
                                       maskedName: try r.string(3), registeredAt: try r.string(4)),
                idIndex: try r.bytes(5), idCiphertext: try r.bytes(6), nameIndex: try r.bytes(7), nameCiphertext: try r.bytes(8))
        }
        return found
    }

    func personID(idIndex: [UInt8]) throws -> String? {
        try db.string("SELECT person_id FROM person_index WHERE id_index = $1", [idIndex])
    }

    func erase(_ id: String, unlinkable: (idIndex: [UInt8], nameIndex: [UInt8]), erasedMask: String, at time: String) throws {
        try db.run("DELETE FROM person_index WHERE person_id = $1", [id])
        try db.run("INSERT INTO person_index(id_index, person_id) VALUES ($1, $2)", [unlinkable.idIndex, id])
        try db.run("""
            UPDATE people SET id_index = $1, name_index = $2, id_ciphertext = '', name_ciphertext = '', id_masked = $3, name_masked = $3,
                              erased_at = $4
            WHERE id = $5
            """, [unlinkable.idIndex, unlinkable.nameIndex, erasedMask, time, id])
    }
}

struct PostgresTokens: TokenStore {
    let db: PostgresSession

    func insert(_ t: TokenRecord, sha256: String, eventID: String) throws {
        try db.run("""
            INSERT INTO tokens(id, sha256, role, institution_id, person_id, created_at, expires_at, revoked_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [t.id, sha256, t.role.rawValue, t.institutionID, t.personID, t.createdAt, t.expiresAt, t.revokedAt, eventID])
    }

    private static let columns = "id, role, institution_id, person_id, created_at, expires_at, revoked_at, sha256"

    private static func record(_ r: SQLRow) throws -> TokenRecord {
        let id = try r.string(0)
        return TokenRecord(id: id, role: try requiredCase(try r.string(1), "tokens.role", row: id), institutionID: try r.optionalString(2),
                           personID: try r.optionalString(3), createdAt: try r.string(4), expiresAt: try r.optionalString(5),
                           revokedAt: try r.optionalString(6))
    }

    func token(sha256: String) throws -> (record: TokenRecord, storedHash: String)? {
        guard let r = try db.row("SELECT \(Self.columns) FROM tokens WHERE sha256 = $1", [sha256]) else { return nil }
        return (try Self.record(r), try r.string(7))
    }

    func token(id: String) throws -> TokenRecord? {
        try db.row("SELECT \(Self.columns) FROM tokens WHERE id = $1", [id]).map(Self.record)
    }

    func tokens() throws -> [TokenRecord] { try db.rows("SELECT \(Self.columns) FROM tokens ORDER BY id").map(Self.record) }

    func revoke(_ id: String, at time: String) throws {
        try db.run("UPDATE tokens SET revoked_at = $1 WHERE id = $2", [time, id])
    }

    func revokeAll(person: String, at time: String) throws {
        try db.run("UPDATE tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL", [time, person])
    }

    func idempotentResponse(token: String, key: String) throws -> IdempotentResponse? {
        try db.row("SELECT request, status, body FROM idempotency WHERE token_id = $1 AND key = $2", [token, key]).map {
            IdempotentResponse(request: try $0.string(0), status: try $0.int(1), body: try $0.bytes(2))
        }
    }

    func keepIdempotentResponse(_ r: IdempotentResponse, token: String, key: String, at time: String) throws {
        try db.run("""
            INSERT INTO idempotency(token_id, key, request, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (token_id, key) DO NOTHING
            """, [token, key, r.request, r.status, r.body, time])
    }
}

struct PostgresTraining: TrainingStore {
    let db: PostgresSession

    func insertCourse(_ c: Course, eventID: String) throws {
        try db.run("""
            INSERT INTO courses(id, institution_id, title, occupation, level, hours, framework, credit_tenths, starts_on, ends_on, capacity, event_id, online)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, [c.id, c.institutionID, c.title, c.occupation, c.level, c.hours, c.framework, c.creditTenths, c.startsOn.description,
                  c.endsOn?.description, c.capacity, eventID, c.isOnline])
    }

    private static let columns = """
        c.id, c.institution_id, c.title, c.occupation, c.level, c.hours, c.framework, c.credit_tenths, c.starts_on, c.ends_on, c.capacity, c.online,
        (SELECT count(*) FROM enrolments e WHERE e.course_id = c.id AND e.status <> 'withdrawn')
        """

    /// A course read from `columns` starting at column `at`; `enrolled` from the column after them when counted.
    private static func course(_ r: SQLRow, at o: Int = 0, counted: Bool = true) throws -> Course {
        let id = try r.string(o)
        return Course(
            id: id, institutionID: try r.string(o + 1), title: try r.string(o + 2), occupation: try r.string(o + 3), level: try r.int(o + 4),
            hours: try r.int(o + 5), framework: try r.string(o + 6), creditTenths: try r.int(o + 7),
            startsOn: try requiredDate(try r.string(o + 8), "courses.starts_on", row: id), endsOn: try r.optionalString(o + 9).flatMap(CalendarDate.init(iso:)),
            capacity: try r.optionalInt(o + 10), enrolled: counted ? try r.int(o + 12) : nil, isOnline: try r.bool(o + 11))
    }

    func course(_ id: String) throws -> Course? {
        try db.row("SELECT \(Self.columns) FROM courses c WHERE c.id = $1", [id]).map { try Self.course($0) }
    }

    func courses(institution: String?, after cursor: String?, limit: Int?) throws -> [Course] {
        try db.rows("""
            SELECT \(Self.columns) FROM courses c WHERE c.id > $1 AND ($2::text IS NULL OR c.institution_id = $2) ORDER BY c.id LIMIT $3
            """, [cursor ?? "", institution, limit]).map { try Self.course($0) }
    }

    func placesTaken(course: String) throws -> Int {
        try db.int("SELECT count(*) FROM enrolments WHERE course_id = $1 AND status <> 'withdrawn'", [course]) ?? 0
    }

    func insertEnrolment(_ e: Enrolment, eventID: String) throws {
        try db.run("""
            INSERT INTO enrolments(id, person_id, course_id, status, enrolled_at, closed_at, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [e.id, e.personID, e.courseID, e.status.rawValue, e.enrolledAt, e.closedAt, eventID])
    }

    func enrolments(institution: String?, course: String?, status: EnrolmentStatus?, after cursor: String?, limit: Int) throws -> [Enrolment] {
        try db.rows("""
            SELECT e.id, e.person_id, e.course_id, e.status, e.enrolled_at, e.closed_at FROM enrolments e JOIN courses c ON c.id = e.course_id
            WHERE e.id > $1 AND ($2::text IS NULL OR c.institution_id = $2) AND ($3::text IS NULL OR e.course_id = $3) AND ($4::text IS NULL OR e.status = $4)
            ORDER BY e.id LIMIT $5
            """, [cursor ?? "", institution, course, status?.rawValue, limit]).map { r in
            let id = try r.string(0)
            return Enrolment(id: id, personID: try r.string(1), courseID: try r.string(2), status: try requiredCase(try r.string(3), "enrolments.status", row: id),
                             enrolledAt: try r.string(4), closedAt: try r.optionalString(5))
        }
    }

    func enrolment(_ id: String) throws -> Enrolment? {
        try db.row("SELECT id, person_id, course_id, status, enrolled_at, closed_at FROM enrolments WHERE id = $1", [id]).map {
            Enrolment(id: id, personID: try $0.string(1), courseID: try $0.string(2), status: try requiredCase(try $0.string(3), "enrolments.status", row: id),
                      enrolledAt: try $0.string(4), closedAt: try $0.optionalString(5))
        }
    }

    func enrolmentID(person: String, course: String) throws -> String? {
        try db.string("SELECT id FROM enrolments WHERE person_id = $1 AND course_id = $2", [person, course])
    }

    func closeEnrolment(_ id: String, as status: EnrolmentStatus, at time: String) throws {
        try db.run("UPDATE enrolments SET status = $1, closed_at = $2 WHERE id = $3", [status.rawValue, time, id])
    }

    func trainingHistory(person: String) throws -> [TrainingLine] {
        try db.rows("""
            SELECT e.id, e.status, e.enrolled_at, e.closed_at,
                   c.id, c.institution_id, c.title, c.occupation, c.level, c.hours, c.framework, c.credit_tenths, c.starts_on, c.ends_on, c.capacity,
                   c.online, i.name
            FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN institutions i ON i.id = c.institution_id
            WHERE e.person_id = $1 ORDER BY e.id
            """, [person]).map { r in
            let id = try r.string(0)
            let course = try Self.course(r, at: 4, counted: false)
            let enrolment = Enrolment(id: id, personID: person, courseID: course.id, status: try requiredCase(try r.string(1), "enrolments.status", row: id),
                                      enrolledAt: try r.string(2), closedAt: try r.optionalString(3))
            return TrainingLine(enrolment: enrolment, course: course, institutionName: try r.string(16))
        }
    }
}
