import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto

/// What a certificate's status can change to.
public enum StatusChange: String, Sendable, CaseIterable {
    case revoke, suspend, reinstate

    var event: String {
        switch self {
        case .revoke: "certificate.revoked"
        case .suspend: "certificate.suspended"
        case .reinstate: "certificate.reinstated"
        }
    }
}

extension Ledger {
    /// Revokes, suspends or reinstates a certificate and its 一试双证 twin, and re-signs the
    /// issuers' status lists, all in one transaction. Revocation is final; only a suspended
    /// certificate can be reinstated.
    /// - Returns: the changed certificates.
    /// - Throws: `ledger.certificate-not-found`, `ledger.transition-invalid`, `input.invalid-field` (no reason to revoke).
    public func changeStatus(of certificateID: String, _ change: StatusChange, reason: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> [CertificateSummary] {
        if change == .revoke, (reason?.trimmingSpaces ?? "").isEmpty {
            throw SkillError(.invalidField, "a revocation needs a reason", field: "--reason")
        }
        let date = now
        return try write { db in try changeStatus(db, certificateID, change, reason: reason, actor: actor, at: date) }
    }

    func changeStatus(_ db: Database, _ certificateID: String, _ change: StatusChange, reason: String?, actor: Actor, at date: Date) throws -> [CertificateSummary] {
        let first = try requireCertificate(db, certificateID)
        var group = [first]
        if let twin = first.twinID { group.append(try requireCertificate(db, twin)) }
        let target: String
        switch change {
        case .revoke: target = "revoked"
        case .suspend: target = "suspended"
        case .reinstate: target = "active"
        }
        guard first.status != "revoked" else { throw SkillError(.transitionInvalid, "certificate \(first.id) is revoked; revocation is final") }
        switch change {
        case .suspend where first.status != "active": throw SkillError(.transitionInvalid, "only an active certificate can be suspended")
        case .reinstate where first.status != "suspended": throw SkillError(.transitionInvalid, "only a suspended certificate can be reinstated")
        default: break
        }
        var issuers: Set<String> = []
        for c in group where c.status != "revoked" {
            try Ledger.appendEvent(
                db, type: change.event, actor: actor, at: date,
                subjects: ["certificate": .string(c.id), "person": .string(c.personID), "institution": .string(c.institutionID)],
                change: ["from": .string(c.status), "to": .string(target), "reason": .optional(reason), "via_twin": .bool(c.id != first.id)])
            try db.execute(sql: "UPDATE certificates SET status = ? WHERE id = ?", arguments: [target, c.id])
            issuers.insert(c.institutionID)
        }
        if change == .revoke {
            // What was converted from a revoked certificate is reversed in the same transaction.
            try reverseConversions(db, derivedFrom: group.map(\.id), reason: "certificate revoked: \(reason ?? "")", actor: actor, at: date)
        }
        for issuer in issuers.sorted() { try publishStatusLists(db, institution: issuer, at: date) }
        return try group.map { try requireCertificate(db, $0.id) }
    }

    /// Revokes every certificate whose number is listed (one per line), in one transaction.
    /// - Returns: the revoked certificates, and the numbers that could not be revoked with why.
    /// - Throws: `input.file-unreadable`, `input.invalid-field` (no reason).
    public func revokeBulk(numbers: [String], reason: String, actor: Actor = .operatorCLI) throws(SkillError) -> (revoked: [CertificateSummary], problems: [(line: Int, number: String, message: String)]) {
        guard !reason.trimmingSpaces.isEmpty else { throw SkillError(.invalidField, "a revocation needs a reason", field: "--reason") }
        let date = now
        return try write { db in
            var revoked: [CertificateSummary] = []
            var problems: [(Int, String, String)] = []
            for (i, raw) in numbers.enumerated() {
                let number = raw.trimmingSpaces
                if number.isEmpty || number.hasPrefix("#") { continue }
                do {
                    guard let id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM certificates WHERE number = ?"), arguments: [number]) else {
                        throw SkillError(.certificateNotFound, "no certificate with this number")
                    }
                    revoked += try db.savepoint { try changeStatus(db, id, .revoke, reason: reason, actor: actor, at: date) }
                } catch {
                    problems.append((i + 1, String(number.prefix(40)), Ledger.map(error).message))
                }
            }
            return (revoked, problems)
        }
    }

    /// One certificate.
    /// - Throws: `ledger.certificate-not-found`.
    public func certificate(_ id: String) throws(SkillError) -> CertificateSummary {
        try read { db in try requireCertificate(db, id) }
    }

    /// Certificates a worker holds, oldest first.
    public func certificates(of personID: String) throws(SkillError) -> [CertificateSummary] {
        try read { db in try Ledger.certificates(db, personID) }
    }

    static func certificates(_ db: Database, _ personID: String) throws -> [CertificateSummary] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM certificates WHERE person_id = ? ORDER BY issued_at, id"), arguments: [personID])
            .map(CertificateSummary.init(row:))
    }

    func requireCertificate(_ db: Database, _ idOrNumber: String) throws -> CertificateSummary {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM certificates WHERE id = ? OR number = ?"), arguments: [idOrNumber, idOrNumber]) else {
            throw SkillError(.certificateNotFound, "no certificate '\(idOrNumber.prefix(40))'", field: "certificate")
        }
        return CertificateSummary(row: row)
    }

    /// How a certificate is exported.
    public enum ExportFormat: String, Sendable, CaseIterable {
        /// The signed credential (VC 2.0 JSON with an eddsa-jcs-2022 proof).
        case vc
        /// A VC-JOSE-COSE compact JWS of the same credential.
        case jwt
        /// The credential with everything needed to check it offline, log proof included.
        case bundle
    }

    /// The certificate as a file for the worker to show. With `withName` (the worker's opt-in)
    /// the clear name is added to the subject and the credential is signed again, by the same
    /// key, which must still be the issuer's current key; the stored credential never holds it.
    /// - Returns: the file's text.
    /// - Throws: `ledger.certificate-not-found`, `ledger.key-retired`.
    public func export(_ certificateID: String, format: ExportFormat, withName: Bool = false) throws(SkillError) -> String {
        if format == .bundle {
            guard !withName else { throw SkillError(.invalidField, "a bundle carries the credential as issued, without a name", field: "--with-name") }
            return try bundle(certificateID).prettyString()
        }
        return try read { db in
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM certificates WHERE id = ? OR number = ?"), arguments: [certificateID, certificateID])
            guard let row else { throw SkillError(.certificateNotFound, "no certificate '\(certificateID.prefix(40))'", field: "certificate") }
            let stored = try JSONParser().parse(Array(row["credential"] as Data))
            if format == .vc && !withName { return try stored.prettyString() }
            // Re-signing needs the issuing key, and only while it is current.
            let (key, privateKey) = try signingKey(db, owner: row["institution_id"])
            guard key.id == row["key_id"] as String else {
                throw SkillError(.keyRetired, "the key that signed this certificate has been rotated; the stored credential can be exported as is (--format vc without --with-name)")
            }
            guard case .object(var members) = stored else { throw SkillError(.jsonMalformed, "the stored credential is not an object") }
            let proof = members.removeValue(forKey: "proof")
            if withName {
                let person: String = row["person_id"]
                let sealed = try Row.fetchOne(db.cachedStatement(sql: "SELECT name_ciphertext FROM people WHERE id = ?"), arguments: [person])!
                let name = try vault.open(Array(sealed["name_ciphertext"] as Data), record: person, column: "name")
                var subject = members["credentialSubject"]?.objectValue ?? [:]
                subject["name"] = .string(name)
                members["credentialSubject"] = .object(subject)
            }
            switch format {
            case .bundle:
                throw SkillError(.usage, "bundles are made by bundle(_:)")
            case .jwt:
                return try CompactJWS.sign(.object(members), with: privateKey, kid: key.verificationMethod)
            case .vc:
                let created = proof?["created"]?.stringValue ?? Timestamp.format(now)
                return try DataIntegrityProof.sign(.object(members), with: privateKey, verificationMethod: key.verificationMethod, created: created).prettyString()
            }
        }
    }

    /// The signed status list credential of an issuer.
    /// - Throws: `ledger.institution-not-found`, `ledger.certificate-not-found` (it has issued nothing yet).
    public func statusList(of institutionID: String, purpose: String) throws(SkillError) -> JSONValue {
        try read { db in
            _ = try Ledger.requireInstitution(db, institutionID)
            guard let data = try Data.fetchOne(
                db, sql: "SELECT credential FROM status_lists WHERE institution_id = ? AND purpose = ?", arguments: [institutionID, purpose])
            else { throw SkillError(.certificateNotFound, "\(institutionID) has no \(purpose) status list yet (it has issued no certificate)") }
            return try JSONParser().parse(Array(data))
        }
    }

    /// Every status list credential the bank holds.
    public func allStatusLists() throws(SkillError) -> [JSONValue] {
        try read { db in try Data.fetchAll(db, sql: "SELECT credential FROM status_lists ORDER BY institution_id, purpose").map { try JSONParser().parse(Array($0)) } }
    }

    /// The registry's trust list, signed now by the registry's current key: every institution
    /// that signs, with its status, key history and accreditation scopes.
    public func trustList(name: String = "SkillBank Registry") throws(SkillError) -> JSONValue {
        let date = now
        return try read { db in
            func keys(_ list: [KeyRecord]) -> [TrustList.Key] { list.map { .init(did: $0.did, validFrom: $0.validFrom, validUntil: $0.validUntil) } }
            let institutions = try String.fetchAll(db, sql: "SELECT id FROM institutions WHERE kind <> 'training' ORDER BY id")
                .map { try Ledger.requireInstitution(db, $0) }
            let list = TrustList(
                registryName: name, registryKeys: keys(try Ledger.keys(db, Ledger.registryOwner)), issued: Timestamp.format(date),
                entries: institutions.map { i in
                    TrustList.Entry(
                        id: i.id, name: i.name, kind: i.kind.rawValue, code: i.code, status: i.isSuspended ? "suspended" : "active",
                        keys: keys(i.keys),
                        scopes: i.accreditations.map { .init(occupation: $0.occupation, levels: $0.levels, validFrom: $0.validFrom.description, validUntil: $0.validUntil?.description) })
                })
            let (key, privateKey) = try signingKey(db, owner: Ledger.registryOwner)
            return try DataIntegrityProof.sign(list.unsignedCredential, with: privateKey, verificationMethod: key.verificationMethod, created: list.issued)
        }
    }

    /// The national-style look-up: a certificate number plus the holder's name or ID number.
    /// Returns nothing about anyone else: a wrong name and an unknown number look the same.
    /// - Throws: `ledger.certificate-not-found` unless both match; `input.usage` without a second field.
    public func lookup(number: String, name: String?, idType: IDType = .resident, idNumber: String?) throws(SkillError) -> JSONValue {
        var nameIndex: Data?
        var idIndex: Data?
        if let name { nameIndex = (try? PersonName(name)).map { Data(vault.index(of: $0)) } }
        if let idNumber { idIndex = (try? PersonalID(type: idType, number: idNumber, provinces: standards.provinceCodes)).map { Data(vault.index(of: $0)) } }
        guard name != nil || idNumber != nil else { throw SkillError(.usage, "give --name or --id-number with the number") }
        let notFound = SkillError(.certificateNotFound, "no certificate matches this number and holder")
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT c.*, p.name_index, p.id_index, i.name AS institution_name FROM certificates c
                JOIN people p ON p.id = c.person_id JOIN institutions i ON i.id = c.institution_id WHERE c.number = ?
                """, arguments: [number.trimmingSpaces])
            else { throw notFound }
            if let nameIndex, row["name_index"] as Data != nameIndex { throw notFound }
            if let idIndex, row["id_index"] as Data != idIndex { throw notFound }
            if (name != nil && nameIndex == nil) || (idNumber != nil && idIndex == nil) { throw notFound }
            let occupation: String = row["occupation"]
            let level: Int? = row["level"]
            return [
                "number": .string(row["number"]), "issuer": .string(row["institution_name"]), "kind": .string(row["kind"]),
                "occupation": .string("\(occupation) \(standards.occupation(occupation)?.zh ?? "")"),
                "level": .optional(level.flatMap { standards.level(code: $0)?.display }), "issued_at": .string(row["issued_at"]),
                "status": .string(row["status"]),
            ]
        }
    }

    /// Records results from CSV (`person,theory,practical`) in one transaction, issuing
    /// certificates for passes; reports bad rows like the other imports.
    public func importResults(assessment assessmentID: String, from url: URL, skipBad: Bool = false, actor: Actor = .operatorCLI) throws(SkillError) -> (report: ImportReport, certificates: Int) {
        let rows = try CSVRows(url, columns: ImportKind.results.columns)
        let date = now
        var problems: [RowProblem] = []
        var total = 0
        var imported = 0
        var issued = 0
        struct Rollback: Error {}
        do {
            try database.write { db in
                try issuing(db) { context in
                    while let record = try rows.next() {
                        total += 1
                        let result = Result { () throws -> AssessmentOutcome in
                            let f = record.fields
                            let theoryText = f["theory"]!.trimmingSpaces
                            guard let practical = Int(f["practical"]!.trimmingSpaces) else {
                                throw SkillError(.invalidField, "practical must be a whole number 0–100", field: "--practical")
                            }
                            guard theoryText.isEmpty || Int(theoryText) != nil else {
                                throw SkillError(.invalidField, "theory must be a whole number 0–100 or empty", field: "--theory")
                            }
                            func work() throws -> AssessmentOutcome {
                                try self.recordResult(db, assessmentID, f["person"]!.trimmingSpaces, theory: Int(theoryText), practical: practical, actor: actor, at: date, context: &context)
                            }
                            if skipBad {
                                return try db.savepoint(work)
                            }
                            return try work()
                        }
                        switch result {
                        case .success(let outcome):
                            imported += 1
                            issued += outcome.certificates.count
                        case .failure(let error):
                            if skipBad { context.rowRolledBack() }
                            let e = Ledger.map(error)
                            problems.append(RowProblem(line: record.line, column: ImportKind.results.column(for: e.field), code: e.code, message: e.message, fields: record.fields))
                        }
                    }
                    if !problems.isEmpty && !skipBad { throw Rollback() }
                }
            }
        } catch is Rollback {
            return (ImportReport(kind: .results, rows: total, imported: 0, problems: problems, committed: false), 0)
        } catch {
            throw Ledger.map(error)
        }
        return (ImportReport(kind: .results, rows: total, imported: imported, problems: problems, committed: true), issued)
    }
}

extension Database {
    /// Runs `body` in a savepoint: if it throws, only its own writes are rolled back.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try inSavepoint {
            result = try body()
            return .commit
        }
        return result!
    }
}
