import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// Registering (备案) institutions, their accreditation scopes and keys, and workers.
public struct Registration: Sendable {
    let context: BankContext

    /// Registers an institution. Evaluators and awarding bodies get a key pair (made by OpenSSL
    /// before the unit of work).
    /// - Returns: the new institution.
    /// - Throws: `institution.uscc-invalid` (domestic kinds need a valid 统一社会信用代码),
    ///   `institution.province-invalid`, `input.invalid-field` (name, codes), `ledger.institution-exists`.
    public func registerInstitution(_ r: InstitutionRegistration, actor: Actor = .operatorCLI) throws(SkillError) -> Institution {
        let name = r.name.trimmingSpaces
        guard !name.isEmpty, name.count <= 200 else {
            throw SkillError(.invalidField, "the institution name must have 1–200 characters", field: "name")
        }
        let code: String
        if r.kind == .international {
            let c = r.code.trimmingSpaces.uppercased()
            guard (2...40).contains(c.count), c.allSatisfy({ $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "-" }) else {
                throw SkillError(.invalidField, "an international body's registration code has 2–40 letters, digits or '-'", field: "code")
            }
            code = c
        } else {
            do { code = try USCC(r.code).value } catch { throw error.at("code") }
        }
        let province = r.province?.trimmingSpaces
        if let province {
            guard context.standards.provinceCodes.contains(province) else {
                throw SkillError(.provinceInvalid, "'\(province.prefix(4))' is not a province code (e.g. 44 = 广东, 11 = 北京)", field: "province")
            }
        } else if r.kind != .international {
            throw SkillError(.provinceInvalid, "a domestic institution needs its province code", field: "province")
        }
        guard r.evaluatorCode.count == 4, r.evaluatorCode.allSatisfy(\.isASCIIDigit) else {
            throw SkillError(.invalidField, "the evaluator code has 4 digits (0000 when filed with a province)", field: "evaluator_code")
        }
        guard r.siteSequence.count == 6, r.siteSequence.allSatisfy(\.isASCIIDigit) else {
            throw SkillError(.invalidField, "the site sequence has 6 digits", field: "site_sequence")
        }
        let date = context.now
        let id = IdentifierKind.institution.make(at: date)
        let newKey = r.kind.signs ? try context.makeKey() : nil
        let institution = Institution(
            id: id, name: name, kind: r.kind, code: code, province: province, isSuspended: false, registeredAt: Timestamp.format(date),
            accreditations: [], evaluatorCode: r.evaluatorCode, siteSequence: r.siteSequence, keys: [])
        return try context.write { tx in
            if try tx.institutions.institutionID(code: code) != nil {
                throw SkillError(.institutionExists, "an institution with this code is already registered", field: "code")
            }
            let event = try context.append(
                tx, "institution.registered", actor: actor, at: date, subjects: ["institution": .string(id)],
                change: ["name": .string(name), "kind": .string(r.kind.rawValue), "code": .string(code), "province": .optional(province),
                         "evaluator_code": .string(r.evaluatorCode), "site_sequence": .string(r.siteSequence), "key": .optional(newKey?.did)])
            try tx.institutions.insert(institution, eventID: event)
            if let newKey { try tx.keys.insert(newKey.record(owner: id, at: date), encryptedPEM: newKey.pem, eventID: event) }
            return try context.requireInstitution(tx, id)
        }
    }

    /// Adds an accreditation scope: what the institution may train or certify.
    /// - Parameters:
    ///   - institutionID: the institution.
    ///   - occupation: a 大典 code.
    ///   - levels: five-level codes the occupation has.
    ///   - from: first valid day (default today).
    ///   - until: last valid day, or open-ended.
    /// - Returns: the new scope.
    /// - Throws: `ledger.institution-not-found`, `standards.occupation-unknown`,
    ///   `standards.level-unknown`, `input.invalid-field` (dates).
    public func accredit(
        _ institutionID: String, occupation: String, levels: [Int], from: CalendarDate? = nil, until: CalendarDate? = nil,
        actor: Actor = .operatorCLI
    ) throws(SkillError) -> Accreditation {
        let standards = context.standards
        let occ = try standards.requireOccupation(occupation)
        guard !levels.isEmpty else { throw SkillError(.levelUnknown, "name at least one level", field: "levels") }
        for l in levels { _ = try standards.requireLevel(l, of: occ, field: "levels") }
        let start = from ?? context.today
        if let until, until < start {
            throw SkillError(.invalidField, "the scope ends (\(until)) before it starts (\(start))", field: "valid_until")
        }
        let date = context.now
        let scope = Accreditation(
            id: IdentifierKind.accreditation.make(at: date), occupation: occ.code, levels: Array(Set(levels)).sorted(by: >),
            validFrom: start, validUntil: until)
        try context.write { tx in
            _ = try context.requireInstitution(tx, institutionID)
            let event = try context.append(
                tx, "institution.accredited", actor: actor, at: date,
                subjects: ["institution": .string(institutionID), "accreditation": .string(scope.id)], change: scope.json)
            try tx.institutions.insertAccreditation(scope, institution: institutionID, eventID: event)
        }
        return scope
    }

    /// Suspends an institution (it can no longer publish, enrol or record results) or reinstates it.
    /// - Throws: `ledger.institution-not-found`, `ledger.transition-invalid` when it is already in that state.
    public func setInstitutionSuspended(_ institutionID: String, _ suspended: Bool, reason: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> Institution {
        let date = context.now
        return try context.write { tx in
            let current = try context.requireInstitution(tx, institutionID)
            guard current.isSuspended != suspended else {
                throw SkillError(.transitionInvalid, "the institution is already \(suspended ? "suspended" : "active")")
            }
            try context.append(
                tx, suspended ? "institution.suspended" : "institution.reinstated", actor: actor, at: date,
                subjects: ["institution": .string(institutionID)], change: ["reason": .optional(reason)])
            try tx.institutions.setSuspended(institutionID, suspended)
            return try context.requireInstitution(tx, institutionID)
        }
    }

    /// Adds a new key for a signing institution; the old one stays in the history with its
    /// validity window closed, so what it signed still verifies. One ledger event.
    /// - Returns: the new key.
    /// - Throws: `ledger.institution-not-found`, `ledger.institution-kind-not-allowed`.
    public func rotateKey(of institutionID: String, actor: Actor = .operatorCLI) throws(SkillError) -> KeyRecord {
        let date = context.now
        let new = try context.makeKey()
        return try context.write { tx in
            let institution = try context.requireInstitution(tx, institutionID)
            guard institution.kind.signs else {
                throw SkillError(.kindNotAllowed, "training providers do not sign certificates and have no key")
            }
            let time = Timestamp.format(date)
            let retired = institution.keys.filter { $0.validUntil == nil }
            let event = try context.append(
                tx, "institution.key-rotated", actor: actor, at: date, subjects: ["institution": .string(institutionID)],
                change: ["new_key": .string(new.did), "retired_keys": .array(retired.map { .string($0.did) }), "valid_from": .string(time)])
            try tx.keys.retireKeys(of: institutionID, at: time)
            let record = new.record(owner: institutionID, at: date)
            try tx.keys.insert(record, encryptedPEM: new.pem, eventID: event)
            return record
        }
    }

    /// One institution with its scopes and keys.
    /// - Throws: `ledger.institution-not-found`.
    public func institution(_ id: String) throws(SkillError) -> Institution {
        try context.read { tx in try context.requireInstitution(tx, id) }
    }

    /// Institutions in id order after `cursor` (all when nil), at most `limit` (all when nil).
    public func institutions(after cursor: String? = nil, limit: Int? = nil) throws(SkillError) -> [Institution] {
        try context.read { tx in try tx.institutions.institutions(after: cursor, limit: limit) }
    }

    /// Every key `owner` has had, oldest first.
    public func keys(of owner: String) throws(SkillError) -> [KeyRecord] {
        try context.read { tx in try tx.keys.keys(of: owner) }
    }

    /// The registry's trust list, signed now by the registry's current key: every institution
    /// that signs, with its status, key history and accreditation scopes.
    public func trustList(name: String = "SkillBank Registry") throws(SkillError) -> JSONValue {
        let date = context.now
        return try context.read { tx in
            func keys(_ list: [KeyRecord]) -> [TrustList.Key] { list.map { .init(did: $0.did, validFrom: $0.validFrom, validUntil: $0.validUntil) } }
            let list = TrustList(
                registryName: name, registryKeys: keys(try tx.keys.keys(of: registryOwner)), issued: Timestamp.format(date),
                entries: try tx.institutions.institutions(after: nil, limit: nil).filter(\.kind.signs).map { i in
                    TrustList.Entry(
                        id: i.id, name: i.name, kind: i.kind.rawValue, code: i.code, status: i.isSuspended ? "suspended" : "active",
                        keys: keys(i.keys),
                        scopes: i.accreditations.map { .init(occupation: $0.occupation, levels: $0.levels, validFrom: $0.validFrom.description, validUntil: $0.validUntil?.description) })
                }, context: SkillBankContext.reference(baseURL: context.baseURL))
            let (key, privateKey) = try context.signingKey(tx, owner: registryOwner)
            return try DataIntegrityProof.sign(list.unsignedCredential, with: privateKey, verificationMethod: key.verificationMethod, created: list.issued)
        }
    }
}

extension Registration {
    /// Registers a worker. The name and document number are stored only as blind indexes,
    /// ciphertext and masked forms; the event carries neither.
    /// - Returns: the new person, masked.
    /// - Throws: `person.name-invalid`, `person.id-number-invalid`, `ledger.person-exists`
    ///   (the same document is already registered; the message names the existing id).
    public func registerPerson(name: String, idType: IDType, idNumber: String, actor: Actor = .operatorCLI) throws(SkillError) -> PersonSummary {
        let person = try sealPerson(name: name, idType: idType, idNumber: idNumber, at: context.now)
        let date = context.now
        try context.write { tx in try insertPerson(tx, person, actor: actor, at: date) }
        return person.summary
    }

    /// A validated, sealed person ready to insert; made before the unit of work where it can
    /// be, so that encryption does not hold the write lock.
    func sealPerson(name rawName: String, idType: IDType, idNumber: String, at date: Date) throws(SkillError) -> SealedPerson {
        let name: PersonName
        do { name = try PersonName(rawName) } catch { throw error.at("name") }
        let document: PersonalID
        do { document = try PersonalID(type: idType, number: idNumber, provinces: context.standards.provinceCodes) } catch {
            throw error.at("id_number")
        }
        let id = IdentifierKind.person.make(at: date)
        let vault = context.vault
        return SealedPerson(
            summary: PersonSummary(id: id, idType: idType, maskedIDNumber: document.masked, maskedName: name.masked, registeredAt: Timestamp.format(date)),
            idIndex: vault.index(of: document), idCiphertext: try vault.seal(document.number, record: id, column: "id_number"),
            nameIndex: vault.index(of: name), nameCiphertext: try vault.seal(name.value, record: id, column: "name"))
    }

    /// Writes a sealed person and its event inside the caller's unit of work.
    /// - Throws: `ledger.person-exists`.
    func insertPerson(_ tx: any StoreTransaction, _ p: SealedPerson, actor: Actor, at date: Date) throws {
        if let existing = try tx.people.personID(idIndex: p.idIndex) {
            throw SkillError(.personExists, "this identity document is already registered as \(existing)", field: "id_number")
        }
        let event = try context.append(
            tx, "person.registered", actor: actor, at: date, subjects: ["person": .string(p.summary.id)],
            change: ["id_type": .string(p.summary.idType.rawValue)])
        try tx.people.insert(p, eventID: event)
    }

    /// One person, masked.
    /// - Throws: `ledger.person-not-found`.
    public func person(_ id: String) throws(SkillError) -> PersonSummary {
        try context.read { tx in try context.requirePerson(tx, id) }
    }

    /// Finds a person by identity document (through its blind index; the number is not stored).
    /// - Returns: the person, or nil.
    /// - Throws: `person.id-number-invalid` when the number is not valid for its type.
    public func findPerson(idType: IDType, idNumber: String) throws(SkillError) -> PersonSummary? {
        let document: PersonalID
        do { document = try PersonalID(type: idType, number: idNumber, provinces: context.standards.provinceCodes) } catch {
            throw error.at("id_number")
        }
        let index = context.vault.index(of: document)
        return try context.read { tx in try tx.people.personID(idIndex: index).flatMap { try tx.people.person($0) } }
    }

    /// The clear name and document number, for the operator's eyes only (never logged).
    /// - Throws: `ledger.person-not-found`, `crypto.decryption-failed`.
    public func revealPerson(_ id: String) throws(SkillError) -> (name: String, idNumber: String) {
        guard let sealed = try context.read({ tx in try tx.people.sealedPerson(id) }), !sealed.nameCiphertext.isEmpty else {
            throw SkillError(.personNotFound, "no person '\(id.prefix(40))' whose data is kept", field: "person")
        }
        return (try context.vault.open(sealed.nameCiphertext, record: id, column: "name"),
                try context.vault.open(sealed.idCiphertext, record: id, column: "id_number"))
    }
}
