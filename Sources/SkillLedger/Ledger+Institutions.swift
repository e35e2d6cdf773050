import Foundation
import GRDB
import SkillCore

/// What registering an institution needs.
public struct InstitutionRegistration: Sendable {
    public var name: String
    public var kind: InstitutionKind
    public var code: String
    public var province: String?
    /// 评价机构代码 in certificate numbers: 0001–9999 when filed with MOHRSS, 0000 when filed with a province.
    public var evaluatorCode: String
    /// 机构(站点)序列码 assigned by the province (6 digits).
    public var siteSequence: String

    public init(name: String, kind: InstitutionKind, code: String, province: String?, evaluatorCode: String = "0000", siteSequence: String = "000001") {
        self.name = name
        self.kind = kind
        self.code = code
        self.province = province
        self.evaluatorCode = evaluatorCode
        self.siteSequence = siteSequence
    }
}

extension Ledger {
    /// Registers (备案) an institution.
    /// - Returns: the new institution.
    /// - Throws: `institution.uscc-invalid` (domestic kinds need a valid 统一社会信用代码),
    ///   `institution.province-invalid`, `input.invalid-field` (name), `ledger.institution-exists`.
    public func registerInstitution(_ r: InstitutionRegistration, actor: Actor = .operatorCLI) throws(SkillError) -> Institution {
        let name = r.name.trimmingSpaces
        guard !name.isEmpty, name.count <= 200 else {
            throw SkillError(.invalidField, "the institution name must have 1–200 characters", field: "--name")
        }
        let code: String
        if r.kind == .international {
            let c = r.code.trimmingSpaces.uppercased()
            guard (2...40).contains(c.count), c.allSatisfy({ $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || $0 == "-" }) else {
                throw SkillError(.invalidField, "an international body's registration code has 2–40 letters, digits or '-'", field: "--code")
            }
            code = c
        } else {
            do { code = try USCC(r.code).value } catch { throw error.at("--code") }
        }
        let province = r.province?.trimmingSpaces
        if let province {
            guard standards.provinceCodes.contains(province) else {
                throw SkillError(.provinceInvalid, "'\(province.prefix(4))' is not a province code (e.g. 44 = 广东, 11 = 北京)", field: "--province")
            }
        } else if r.kind != .international {
            throw SkillError(.provinceInvalid, "a domestic institution needs its province code", field: "--province")
        }
        guard r.evaluatorCode.count == 4, r.evaluatorCode.allSatisfy(\.isASCIIDigit) else {
            throw SkillError(.invalidField, "the evaluator code has 4 digits (0000 when filed with a province)", field: "--evaluator-code")
        }
        guard r.siteSequence.count == 6, r.siteSequence.allSatisfy(\.isASCIIDigit) else {
            throw SkillError(.invalidField, "the site sequence has 6 digits", field: "--site")
        }
        let id = IdentifierKind.institution.make(at: now)
        let date = now
        // Evaluators and awarding bodies sign; their key pair is made by OpenSSL before the transaction.
        let newKey = r.kind == .training ? nil : try makeKey()
        try write { db in
            if try String.fetchOne(db, sql: "SELECT id FROM institutions WHERE code = ?", arguments: [code]) != nil {
                throw SkillError(.institutionExists, "an institution with this code is already registered", field: "--code")
            }
            let event = try Ledger.appendEvent(
                db, type: "institution.registered", actor: actor, at: date, subjects: ["institution": .string(id)],
                change: ["name": .string(name), "kind": .string(r.kind.rawValue), "code": .string(code), "province": .optional(province),
                         "evaluator_code": .string(r.evaluatorCode), "site_sequence": .string(r.siteSequence),
                         "key": .optional(newKey?.did)])
            try db.execute(
                sql: """
                    INSERT INTO institutions(id, name, kind, code, province, status, registered_at, event_id, evaluator_code, site_sequence)
                    VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
                    """,
                arguments: [id, name, r.kind.rawValue, code, province, Timestamp.format(date), event, r.evaluatorCode, r.siteSequence])
            if let newKey { _ = try Ledger.insertKey(db, newKey, owner: id, at: date, event: event) }
        }
        return try institution(id)
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
        let occ = try standards.requireOccupation(occupation)
        guard !levels.isEmpty else { throw SkillError(.levelUnknown, "name at least one level", field: "--levels") }
        for l in levels { _ = try standards.requireLevel(l, of: occ, field: "--levels") }
        let sortedLevels = Array(Set(levels)).sorted(by: >)
        let start = from ?? today
        if let until, until < start {
            throw SkillError(.invalidField, "the scope ends (\(until)) before it starts (\(start))", field: "--until")
        }
        let id = IdentifierKind.accreditation.make(at: now)
        let date = now
        let scope = Accreditation(id: id, occupation: occ.code, levels: sortedLevels, validFrom: start, validUntil: until)
        try write { db in
            _ = try Ledger.requireInstitution(db, institutionID)
            let event = try Ledger.appendEvent(
                db, type: "institution.accredited", actor: actor, at: date,
                subjects: ["institution": .string(institutionID), "accreditation": .string(id)], change: scope.json)
            try db.execute(
                sql: "INSERT INTO accreditations(id, institution_id, occupation, levels, valid_from, valid_until, event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [id, institutionID, occ.code, sortedLevels.map(String.init).joined(separator: ","), start.description,
                            until?.description, event])
        }
        return scope
    }

    /// Suspends an institution (it can no longer publish, enrol or record results) or
    /// reinstates it.
    /// - Throws: `ledger.institution-not-found`, `ledger.transition-invalid` when it is already in that state.
    public func setInstitutionSuspended(_ institutionID: String, _ suspended: Bool, reason: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) -> Institution {
        let date = now
        try write { db in
            let current = try Ledger.requireInstitution(db, institutionID)
            guard current.isSuspended != suspended else {
                throw SkillError(.transitionInvalid, "the institution is already \(suspended ? "suspended" : "active")")
            }
            try Ledger.appendEvent(
                db, type: suspended ? "institution.suspended" : "institution.reinstated", actor: actor, at: date,
                subjects: ["institution": .string(institutionID)], change: ["reason": .optional(reason)])
            try db.execute(sql: "UPDATE institutions SET status = ? WHERE id = ?", arguments: [suspended ? "suspended" : "active", institutionID])
        }
        return try institution(institutionID)
    }

    /// One institution with its scopes.
    /// - Throws: `ledger.institution-not-found`.
    public func institution(_ id: String) throws(SkillError) -> Institution {
        try read { db in try Ledger.requireInstitution(db, id) }
    }

    /// Every institution, in registration order.
    public func institutions() throws(SkillError) -> [Institution] {
        try institutions(after: nil, limit: -1)  // SQLite: a negative LIMIT means none
    }

    static func requireInstitution(_ db: Database, _ id: String) throws -> Institution {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM institutions WHERE id = ?"), arguments: [id]) else {
            throw SkillError(.institutionNotFound, "no institution '\(id.prefix(40))'", field: "institution")
        }
        let scopes = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM accreditations WHERE institution_id = ? ORDER BY id"), arguments: [id]
        ).map { r in
            Accreditation(
                id: r["id"], occupation: r["occupation"],
                levels: (r["levels"] as String).split(separator: ",").compactMap { Int($0) },
                validFrom: CalendarDate(iso: r["valid_from"])!, validUntil: (r["valid_until"] as String?).flatMap(CalendarDate.init(iso:)))
        }
        return Institution(
            id: row["id"], name: row["name"], kind: InstitutionKind(rawValue: row["kind"])!, code: row["code"],
            province: row["province"], isSuspended: row["status"] == "suspended", registeredAt: row["registered_at"],
            accreditations: scopes, evaluatorCode: row["evaluator_code"], siteSequence: row["site_sequence"],
            keys: try keys(db, id))
    }

    /// Checks that an institution is active and accredited for `level` of `occupation` on `date`.
    /// - Throws: `ledger.institution-suspended`, `ledger.out-of-accreditation-scope`.
    static func requireScope(_ institution: Institution, occupation: String, level: Int?, on date: CalendarDate) throws(SkillError) {
        guard !institution.isSuspended else {
            throw SkillError(.institutionSuspended, "institution \(institution.id) is suspended")
        }
        guard institution.accreditations.contains(where: { $0.covers(occupation: occupation, level: level, on: date) }) else {
            throw SkillError(.outOfScope, "institution \(institution.id) is not accredited for \(occupation)\(level.map { " at level \($0)" } ?? "") on \(date)")
        }
    }
}
