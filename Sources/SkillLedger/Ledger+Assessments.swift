import Foundation
import GRDB
import SkillCore

/// Whether an assessment leads to a skill-level certificate or a special-capability one.
public enum AssessmentKind: String, Sendable, CaseIterable {
    /// 职业技能等级认定: a level of an occupation.
    case skill
    /// 专项职业能力考核: one unit of an occupation, no level, practical only.
    case special

    /// The credential type id in Standards.
    public var credentialType: String { self == .skill ? "skill-level-certificate" : "special-capability-certificate" }
}

/// A scheduled assessment.
public struct Assessment: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let kind: AssessmentKind
    public let occupation: String
    public let level: Int?
    /// 工种 under the occupation, when the assessment is for one.
    public let workType: String?
    public let dualMapping: String?
    public let theoryPassMark: Int?
    public let practicalPassMark: Int
    public let scheduledAt: String

    public var json: JSONValue {
        [
            "id": .string(id), "institution": .string(institutionID), "kind": .string(kind.rawValue), "occupation": .string(occupation),
            "level": .optional(level), "work_type": .optional(workType), "dual_mapping": .optional(dualMapping), "theory_pass_mark": .optional(theoryPassMark),
            "practical_pass_mark": .int(practicalPassMark), "scheduled_at": .string(scheduledAt),
        ]
    }
}

/// What recording a result did.
public struct AssessmentOutcome: Sendable {
    public let passed: Bool
    public let certificates: [CertificateSummary]

    public var json: JSONValue {
        ["passed": .bool(passed), "certificates": .array(certificates.map { ["id": .string($0.id), "number": .string($0.number)] })]
    }
}

extension Ledger {
    /// Schedules an assessment inside the evaluator's accreditation scope.
    /// - Parameters:
    ///   - institutionID: an employer (Y) or social (S) evaluator.
    ///   - occupation: the 大典 code.
    ///   - level: the five-level code (required for `skill`, absent for `special`).
    ///   - kind: skill level or special capability.
    ///   - workType: a 工种 the occupation lists in Standards.
    ///   - dualMapping: a `dual-certificates.json` id for 一试双证.
    /// - Throws: `ledger.institution-kind-not-allowed`, `ledger.institution-suspended`,
    ///   `ledger.out-of-accreditation-scope`, `standards.*`, `input.invalid-field`.
    public func scheduleAssessment(
        institution institutionID: String, occupation: String, level: Int?, kind: AssessmentKind = .skill, workType: String? = nil,
        dualMapping: String? = nil, actor: Actor = .operatorCLI
    ) throws(SkillError) -> Assessment {
        let occ = try standards.requireOccupation(occupation)
        switch (kind, level) {
        case (.skill, nil): throw SkillError(.invalidField, "a skill-level assessment needs --level", field: "--level")
        case (.special, .some): throw SkillError(.invalidField, "a special-capability assessment has no level (专项职业能力不划分等级)", field: "--level")
        case (.skill, .some(let l)): _ = try standards.requireLevel(l, of: occ)
        case (.special, nil): break
        }
        if let workType, !occ.workTypes.contains(where: { $0.zh == workType }) {
            let known = occ.workTypes.map(\.zh).joined(separator: ", ")
            throw SkillError(.invalidField, "\(occ.code) \(occ.zh) has no 工种 '\(workType.prefix(20))'\(known.isEmpty ? " (it lists none)" : "; known: \(known)")", field: "--work-type")
        }
        guard let rule = standards.assessmentRule(kind.credentialType) else {
            throw SkillError(.standardsReference, "no marking rule for \(kind.credentialType) in assessment-rules.json")
        }
        if let dualMapping {
            guard let m = standards.dualMapping(dualMapping) else {
                throw SkillError(.invalidField, "no mapping '\(dualMapping.prefix(40))' in dual-certificates.json", field: "--dual")
            }
            guard kind == .skill, m.occupation == occ.code, m.level == level else {
                throw SkillError(.invalidField, "mapping \(m.id) is for \(m.occupation) level \(m.level)", field: "--dual")
            }
        }
        let date = now
        let id = IdentifierKind.assessment.make(at: date)
        let assessment = Assessment(
            id: id, institutionID: institutionID, kind: kind, occupation: occ.code, level: level, workType: workType, dualMapping: dualMapping,
            theoryPassMark: rule.theoryPassMark, practicalPassMark: rule.practicalPassMark, scheduledAt: Timestamp.format(date))
        try write { db in
            let institution = try Ledger.requireInstitution(db, institutionID)
            guard institution.kind.isEvaluator else {
                throw SkillError(.kindNotAllowed, "only employer (Y) and social (S) evaluators run assessments; \(institution.id) is \(institution.kind.rawValue)")
            }
            try Ledger.requireScope(institution, occupation: occ.code, level: level, on: CalendarDate(date))
            let event = try Ledger.appendEvent(
                db, type: "assessment.scheduled", actor: actor, at: date,
                subjects: ["assessment": .string(id), "institution": .string(institutionID)], change: assessment.json)
            try db.execute(
                sql: """
                    INSERT INTO assessments(id, institution_id, kind, occupation, level, work_type, dual_mapping, pass_mark, scheduled_at, event_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, institutionID, kind.rawValue, occ.code, level, workType, dualMapping, rule.practicalPassMark, assessment.scheduledAt, event])
        }
        return assessment
    }

    /// One assessment.
    /// - Throws: `ledger.assessment-not-found`.
    public func assessment(_ id: String) throws(SkillError) -> Assessment {
        try read { db in try requireAssessment(db, id) }
    }

    func requireAssessment(_ db: Database, _ id: String) throws -> Assessment {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM assessments WHERE id = ?"), arguments: [id]) else {
            throw SkillError(.assessmentNotFound, "no assessment '\(id.prefix(40))'", field: "assessment")
        }
        let kind = AssessmentKind(rawValue: row["kind"])!
        let rule = standards.assessmentRule(kind.credentialType)
        return Assessment(
            id: row["id"], institutionID: row["institution_id"], kind: kind, occupation: row["occupation"], level: row["level"],
            workType: row["work_type"], dualMapping: row["dual_mapping"], theoryPassMark: rule?.theoryPassMark, practicalPassMark: row["pass_mark"],
            scheduledAt: row["scheduled_at"])
    }

    /// Enrols a worker as a candidate of an assessment, after checking the eligibility rules
    /// (申报条件) for its occupation and level. An operator may override a failed check; the
    /// override and its reason are kept in the event.
    /// - Parameter override: the reason for enrolling a worker the rules do not make eligible.
    /// - Throws: `ledger.assessment-not-found`, `ledger.person-not-found`, `ledger.candidate-exists`,
    ///   `conversion.not-eligible` (naming what is missing).
    public func enrolCandidate(assessment assessmentID: String, person: String, override: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) {
        let date = now
        if let override, override.trimmingSpaces.isEmpty {
            throw SkillError(.invalidField, "an override needs a reason", field: "--override")
        }
        try write { db in
            let a = try requireAssessment(db, assessmentID)
            _ = try Ledger.requirePerson(db, person)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM candidates WHERE assessment_id = ? AND person_id = ?", arguments: [a.id, person]) != nil {
                throw SkillError(.candidateExists, "this person is already a candidate of \(a.id)", field: "--person")
            }
            var missing: [String] = []
            if let level = a.level {
                let record = try learningRecord(db, person: person, asOf: date)
                let outcomes = ConversionEngine(standards: standards).eligibility(for: record, occupation: a.occupation, level: level)
                if !outcomes.isEmpty, !outcomes.contains(where: \.applies) {
                    missing = outcomes.flatMap(\.missing)
                    guard override != nil else {
                        throw SkillError(.notEligible, "not yet eligible to sit \(a.occupation) level \(level): \(missing.joined(separator: "; "))", field: "--person")
                    }
                }
            }
            let event = try Ledger.appendEvent(
                db, type: "assessment.candidate-enrolled", actor: actor, at: date,
                subjects: ["assessment": .string(a.id), "person": .string(person), "institution": .string(a.institutionID)],
                change: ["status": "enrolled", "override": .optional(missing.isEmpty ? nil : override), "missing": .array(missing.map(JSONValue.string))])
            try db.execute(
                sql: "INSERT INTO candidates(assessment_id, person_id, status, event_id) VALUES (?, ?, 'enrolled', ?)",
                arguments: [a.id, person, event])
        }
    }

    /// Records a candidate's scores; a pass issues the certificate(s) in the same transaction.
    /// - Parameters:
    ///   - theory: 0–100, required unless the assessment has no theory part.
    ///   - practical: 0–100.
    /// - Returns: whether the candidate passed and the certificates issued.
    /// - Throws: `input.invalid-field` (scores), `ledger.candidate-not-found`, `ledger.transition-invalid`
    ///   (a result was already recorded), `ledger.institution-suspended`, `ledger.out-of-accreditation-scope`.
    public func recordResult(
        assessment assessmentID: String, person: String, theory: Int?, practical: Int, actor: Actor = .operatorCLI
    ) throws(SkillError) -> AssessmentOutcome {
        let date = now
        return try write { db in
            try issuing(db) { context in
                try recordResult(db, assessmentID, person, theory: theory, practical: practical, actor: actor, at: date, context: &context)
            }
        }
    }

    func recordResult(
        _ db: Database, _ assessmentID: String, _ person: String, theory: Int?, practical: Int, actor: Actor, at date: Date,
        context: inout IssuanceContext
    ) throws -> AssessmentOutcome {
        let a = try context.assessment(assessmentID) { try requireAssessment(db, assessmentID) }
        if let theory, !(0...100).contains(theory) { throw SkillError(.invalidField, "theory must be 0–100, got \(theory)", field: "--theory") }
        guard (0...100).contains(practical) else { throw SkillError(.invalidField, "practical must be 0–100, got \(practical)", field: "--practical") }
        if a.theoryPassMark != nil, theory == nil {
            throw SkillError(.invalidField, "this assessment has a theory part: give --theory", field: "--theory")
        }
        // The candidate's status with the identity a pass will hash into its certificate: one read.
        guard let candidate = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT c.status, p.id_type, p.id_ciphertext FROM candidates c JOIN people p ON p.id = c.person_id
                WHERE c.assessment_id = ? AND c.person_id = ?
                """), arguments: [a.id, person])
        else {
            throw SkillError(.candidateNotFound, "\(person.prefix(40)) is not a candidate of \(a.id)", field: "--person")
        }
        let status: String = candidate[0]
        guard status == "enrolled" else {
            throw SkillError(.transitionInvalid, "a result was already recorded for this candidate (\(status))")
        }
        let institution = try context.institution(a.institutionID) { try Ledger.requireInstitution(db, a.institutionID) }
        try Ledger.requireScope(institution, occupation: a.occupation, level: a.level, on: CalendarDate(date))
        let passed = practical >= a.practicalPassMark && (a.theoryPassMark.map { (theory ?? -1) >= $0 } ?? true)
        let time = Timestamp.format(date)
        var certificates: [CertificateSummary] = []
        try Ledger.appendEvent(
            db, type: "assessment.result-recorded", actor: actor, at: date,
            subjects: ["assessment": .string(a.id), "person": .string(person), "institution": .string(a.institutionID)],
            change: ["theory": .optional(theory), "practical": .int(practical), "passed": .bool(passed)], log: &context.log)
        try db.cachedStatement(sql: "UPDATE candidates SET status = ?, theory = ?, practical = ?, recorded_at = ? WHERE assessment_id = ? AND person_id = ?")
            .execute(arguments: [passed ? "passed" : "failed", theory, practical, time, a.id, person])
        if passed {
            let identity = (type: IDType(rawValue: candidate[1])!, ciphertext: Array(candidate[2] as Data))
            certificates = try issueCertificates(
                db, for: a, institution: institution, person: person, identity: identity, actor: actor, at: date, context: &context)
        }
        return AssessmentOutcome(passed: passed, certificates: certificates)
    }
}
