import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillStore

/// Assessments, their candidates and results, and the certificates a pass issues:
/// load → decide (`CertificateIssuance`) → sign → persist.
public struct Issuance: Sendable {
    let context: BankContext

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
        let standards = context.standards
        let occ = try standards.requireOccupation(occupation)
        switch (kind, level) {
        case (.skill, nil): throw SkillError(.invalidField, "a skill-level assessment needs a level", field: "level")
        case (.special, .some): throw SkillError(.invalidField, "a special-capability assessment has no level (专项职业能力不划分等级)", field: "level")
        case (.skill, .some(let l)): _ = try standards.requireLevel(l, of: occ)
        case (.special, nil): break
        }
        if let workType, !occ.workTypes.contains(where: { $0.zh == workType }) {
            let known = occ.workTypes.map(\.zh).joined(separator: ", ")
            throw SkillError(.invalidField, "\(occ.code) \(occ.zh) has no 工种 '\(workType.prefix(20))'\(known.isEmpty ? " (it lists none)" : "; known: \(known)")", field: "work_type")
        }
        guard let rule = standards.assessmentRule(kind.credentialType) else {
            throw SkillError(.standardsReference, "no marking rule for \(kind.credentialType) in assessment-rules.json")
        }
        if let dualMapping {
            guard let m = standards.dualMapping(dualMapping) else {
                throw SkillError(.invalidField, "no mapping '\(dualMapping.prefix(40))' in dual-certificates.json", field: "dual")
            }
            guard kind == .skill, m.occupation == occ.code, m.level == level else {
                throw SkillError(.invalidField, "mapping \(m.id) is for \(m.occupation) level \(m.level)", field: "dual")
            }
        }
        let date = context.now
        let assessment = Assessment(
            id: IdentifierKind.assessment.make(at: date), institutionID: institutionID, kind: kind, occupation: occ.code, level: level,
            workType: workType, dualMapping: dualMapping, theoryPassMark: rule.theoryPassMark, practicalPassMark: rule.practicalPassMark,
            scheduledAt: Timestamp.format(date))
        try context.write { tx in
            let institution = try context.requireInstitution(tx, institutionID)
            guard institution.kind.isEvaluator else {
                throw SkillError(.kindNotAllowed, "only employer (Y) and social (S) evaluators run assessments; \(institution.id) is \(institution.kind.rawValue)")
            }
            try institution.requireScope(occupation: occ.code, level: level, on: CalendarDate(date))
            let event = try context.append(
                tx, "assessment.scheduled", actor: actor, at: date,
                subjects: ["assessment": .string(assessment.id), "institution": .string(institutionID)], change: assessment.json)
            try tx.assessments.insert(assessment, eventID: event)
        }
        return assessment
    }

    /// One assessment.
    /// - Throws: `ledger.assessment-not-found`.
    public func assessment(_ id: String) throws(SkillError) -> Assessment {
        try context.read { tx in try context.requireAssessment(tx, id) }
    }

    /// Enrols a worker as a candidate of an assessment, after checking the eligibility rules
    /// (申报条件) for its occupation and level. An operator may override a failed check; the
    /// override and its reason are kept in the event.
    /// - Parameter override: the reason for enrolling a worker the rules do not make eligible.
    /// - Throws: `ledger.assessment-not-found`, `ledger.person-not-found`, `ledger.candidate-exists`,
    ///   `conversion.not-eligible` (naming what is missing).
    public func enrolCandidate(assessment assessmentID: String, person: String, override: String? = nil, actor: Actor = .operatorCLI) throws(SkillError) {
        if let override, override.trimmingSpaces.isEmpty {
            throw SkillError(.invalidField, "an override needs a reason", field: "override")
        }
        let date = context.now
        try context.write { tx in
            let a = try context.requireAssessment(tx, assessmentID)
            _ = try context.requirePerson(tx, person, forChange: true)
            if try tx.assessments.candidate(assessment: a.id, person: person) != nil {
                throw SkillError(.candidateExists, "this person is already a candidate of \(a.id)", field: "person")
            }
            var missing: [String] = []
            if let level = a.level {
                let record = try context.learningRecord(tx, person: person, asOf: date)
                let outcomes = ConversionEngine(standards: context.standards).eligibility(for: record, occupation: a.occupation, level: level)
                if !outcomes.isEmpty, !outcomes.contains(where: \.applies) {
                    missing = outcomes.flatMap(\.missing)
                    guard override != nil else {
                        throw SkillError(.notEligible, "not yet eligible to sit \(a.occupation) level \(level): \(missing.joined(separator: "; "))", field: "person")
                    }
                }
            }
            let event = try context.append(
                tx, "assessment.candidate-enrolled", actor: actor, at: date,
                subjects: ["assessment": .string(a.id), "person": .string(person), "institution": .string(a.institutionID)],
                change: ["status": "enrolled", "override": .optional(missing.isEmpty ? nil : override), "missing": .array(missing.map(JSONValue.string))])
            try tx.assessments.insertCandidate(assessment: a.id, person: person, eventID: event)
        }
    }

    /// Records a candidate's scores; a pass issues the certificate(s) in the same unit of work.
    /// - Parameters:
    ///   - theory: 0–100, required unless the assessment has no theory part.
    ///   - practical: 0–100.
    /// - Returns: whether the candidate passed and the certificates issued.
    /// - Throws: `input.invalid-field` (scores), `ledger.candidate-not-found`, `ledger.transition-invalid`
    ///   (a result was already recorded), `ledger.institution-suspended`, `ledger.out-of-accreditation-scope`,
    ///   `ledger.serials-exhausted`, `ledger.status-list-full`.
    public func recordResult(
        assessment assessmentID: String, person: String, theory: Int?, practical: Int, actor: Actor = .operatorCLI
    ) throws(SkillError) -> AssessmentOutcome {
        let date = context.now
        return try context.write { tx in
            var state = IssuanceState()
            return try recordResult(tx, assessmentID, person, theory: theory, practical: practical, actor: actor, at: date, state: &state)
        }
    }

    /// Records results from CSV (`person,theory,practical`) in one unit of work, issuing
    /// certificates for passes; reports bad rows like the other imports.
    /// - Returns: the report and the number of certificates issued.
    public func importResults(assessment assessmentID: String, from url: URL, skipBad: Bool = false, actor: Actor = .operatorCLI) throws(SkillError) -> (report: ImportReport, certificates: Int) {
        let rows = try CSVRows(url, columns: ImportKind.results.columns)
        let date = context.now
        var state = IssuanceState()
        var issued = 0
        let report = try RowImport(kind: .results, skipBad: skipBad, progress: nil).run(rows, in: context) { tx, record in
            let f = record.fields
            let theoryText = f["theory"]!.trimmingSpaces
            guard let practical = Int(f["practical"]!.trimmingSpaces) else {
                throw SkillError(.invalidField, "practical must be a whole number 0–100", field: "practical")
            }
            guard theoryText.isEmpty || Int(theoryText) != nil else {
                throw SkillError(.invalidField, "theory must be a whole number 0–100 or empty", field: "theory")
            }
            let outcome = try recordResult(tx, assessmentID, f["person"]!.trimmingSpaces, theory: Int(theoryText), practical: practical,
                                           actor: actor, at: date, state: &state)
            issued += outcome.certificates.count
        }
        return (report, report.committed ? issued : 0)
    }
}

/// What a unit of work that issues certificates keeps between rows, none of which a row can
/// change (so a row rolled back leaves it true): the assessments and institutions it has read,
/// each issuer's signing key (a rotation is a unit of work of its own), and the number prefixes
/// already checked against the 2020 scheme (later numbers of a prefix differ only in the
/// six-digit serial).
struct IssuanceState {
    var lookups = Lookups()
    var signingKeys: [String: (KeyRecord, Ed25519PrivateKey)] = [:]
    var checkedPrefixes: Set<String> = []
    /// Issuers whose status lists were already published before this unit of work (lists
    /// published inside it are not kept here: a rolled-back row would take them back).
    var publishedLists: Set<String> = []

    mutating func signingKey(_ owner: String, _ load: () throws -> (KeyRecord, Ed25519PrivateKey)) rethrows -> (KeyRecord, Ed25519PrivateKey) {
        if let hit = signingKeys[owner] { return hit }
        let key = try load()
        signingKeys[owner] = key
        return key
    }
}

extension Issuance {
    func recordResult(
        _ tx: any StoreTransaction, _ assessmentID: String, _ person: String, theory: Int?, practical: Int, actor: Actor, at date: Date,
        state: inout IssuanceState
    ) throws -> AssessmentOutcome {
        let a = try state.lookups.assessment(assessmentID) { try context.requireAssessment(tx, assessmentID) }
        try a.validate(theory: theory, practical: practical)
        guard let candidate = try tx.assessments.candidate(assessment: a.id, person: person) else {
            throw SkillError(.candidateNotFound, "\(person.prefix(40)) is not a candidate of \(a.id)", field: "person")
        }
        let passed = try CertificateIssuance.decide(a, candidate: candidate, theory: theory, practical: practical)
        let institution = try state.lookups.institution(a.institutionID) { try context.requireInstitution(tx, a.institutionID) }
        try institution.requireScope(occupation: a.occupation, level: a.level, on: CalendarDate(date))
        try context.append(
            tx, "assessment.result-recorded", actor: actor, at: date,
            subjects: ["assessment": .string(a.id), "person": .string(person), "institution": .string(a.institutionID)],
            change: ["theory": .optional(theory), "practical": .int(practical), "passed": .bool(passed)])
        try tx.assessments.recordResult(assessment: a.id, person: person, status: passed ? .passed : .failed, theory: theory, practical: practical,
                                        at: Timestamp.format(date))
        guard passed else { return AssessmentOutcome(passed: false, certificates: []) }
        return AssessmentOutcome(passed: true, certificates: try issueCertificates(tx, for: a, evaluator: institution, person: person, actor: actor,
                                                                                  at: date, state: &state))
    }

    /// Issues the certificate for a passed candidate, and its 一试双证 twin when the assessment
    /// names a mapping, inside the caller's unit of work.
    func issueCertificates(
        _ tx: any StoreTransaction, for a: Assessment, evaluator: Institution, person: String, actor: Actor, at date: Date,
        state: inout IssuanceState
    ) throws -> [CertificateSummary] {
        guard let sealed = try tx.people.sealedPerson(person), !sealed.idCiphertext.isEmpty else {
            throw SkillError(.personNotFound, "no person '\(person.prefix(40))' whose data is kept", field: "person")
        }
        var idNumber = Array(try context.vault.open(sealed.idCiphertext, record: person, column: "id_number").utf8)
        defer { scrub(&idNumber) }
        var awardingBody: Institution?
        if let mapping = a.dualMapping.flatMap({ context.standards.dualMapping($0) }), let id = try tx.institutions.institutionID(code: mapping.externalBodyCode) {
            awardingBody = try state.lookups.institution(id) { try context.requireInstitution(tx, id) }
        }
        let planned = CertificateIssuance.plan(a, evaluator: evaluator, awardingBody: awardingBody, standards: context.standards, at: date)
        let numbers = try planned.map { try number(tx, for: $0, state: &state) }
        var issued: [CertificateSummary] = []
        for (i, item) in planned.enumerated() {
            let twin = planned.count == 2 ? 1 - i : nil
            issued.append(try issueOne(
                tx, item, number: numbers[i], twin: twin.map { (planned[$0].id, numbers[$0]) }, assessment: a, person: person,
                identity: (sealed.summary.idType, idNumber), actor: actor, at: date, state: &state))
        }
        return issued
    }

    /// The certificate's number: the next 2020-scheme number of its prefix (serials never
    /// reused), or its id when it has no scheme number.
    /// - Throws: `ledger.serials-exhausted`, `certificate.number-invalid` (the scheme refuses the parts).
    private func number(_ tx: any StoreTransaction, for item: CertificateIssuance.Planned, state: inout IssuanceState) throws -> String {
        guard var parts = item.numberParts, let scheme = context.standards.numberScheme("skill-level-2020") else { return item.id }
        let prefix = CertificateNumbering.prefix(parts)
        let serial = try CertificateNumbering.nextSerial(after: try tx.certificates.lastSerial(prefix: prefix), prefix: prefix)
        try tx.certificates.setLastSerial(serial, prefix: prefix)
        parts["serial"] = CertificateNumbering.serialText(serial)
        if state.checkedPrefixes.contains(prefix) { return prefix + parts["serial"]! }
        let number = try scheme.compose(parts, provinces: context.standards.provinceCodes, levels: context.standards.levelCodes)
        state.checkedPrefixes.insert(prefix)
        return number
    }

    /// Random free indices in an issuer's revocation and suspension lists (random for herd
    /// privacy); a taken one is drawn again.
    /// - Throws: `ledger.status-list-full` when 64 draws find no free entry.
    private func freeStatusIndices(_ tx: any StoreTransaction, institution: String) throws -> (revocation: Int, suspension: Int) {
        var rng = SystemRandomNumberGenerator()
        var revocation: Int?
        var suspension: Int?
        for _ in 0..<64 {
            let r = revocation ?? Int.random(in: 0..<BitstringStatusList.minimumLength, using: &rng)
            let s = suspension ?? Int.random(in: 0..<BitstringStatusList.minimumLength, using: &rng)
            let taken = try tx.certificates.statusIndicesTaken(institution: institution, revocation: r, suspension: s)
            if !taken.revocation { revocation = r }
            if !taken.suspension { suspension = s }
            if let revocation, let suspension { return (revocation, suspension) }
        }
        throw SkillError(.statusListFull, "institution \(institution)'s status list has no free entry left")
    }

    private func issueOne(
        _ tx: any StoreTransaction, _ item: CertificateIssuance.Planned, number: String, twin: (id: String, number: String)?, assessment a: Assessment,
        person: String, identity: (type: IDType, number: [UInt8]), actor: Actor, at date: Date, state: inout IssuanceState
    ) throws -> CertificateSummary {
        let (key, privateKey) = try state.signingKey(item.issuer.id) { try context.signingKey(tx, owner: item.issuer.id) }
        let time = Timestamp.format(date)
        let saltHex = Hex.encode(try SecureRandom.bytes(16))
        let identityHash = "sha256$" + Hex.encode(SHA256.hash(identity.number + Array(saltHex.utf8)))
        let (revocation, suspension) = try freeStatusIndices(tx, institution: item.issuer.id)
        let claims = CertificateIssuance.claims(
            for: item, number: number, twinNumber: twin?.number, occupation: a.occupation, level: a.level, standards: context.standards,
            issuerDID: key.did, validFrom: time, identityHash: identityHash,
            identityType: identity.type == .resident ? "nationalIdentityNumber" : "identifier",
            status: [
                StatusEntry(purpose: StatusPurpose.revocation.rawValue, index: revocation, listCredential: context.statusListURL(item.issuer.id, .revocation)),
                StatusEntry(purpose: StatusPurpose.suspension.rawValue, index: suspension, listCredential: context.statusListURL(item.issuer.id, .suspension)),
            ])
        let signed = try DataIntegrityProof.secure(claims.unsignedCredential, with: privateKey, verificationMethod: key.verificationMethod, created: time)
        let summary = CertificateSummary(
            id: item.id, number: number, kind: item.credentialType, institutionID: item.issuer.id, personID: person, occupation: a.occupation,
            level: a.level, issuedAt: time, status: .active, twinID: twin?.id)
        let event = try context.append(
            tx, "certificate.issued", actor: actor, at: date,
            subjects: ["certificate": .string(item.id), "person": .string(person), "institution": .string(item.issuer.id), "assessment": .string(a.id)],
            change: CertificateIssuance.issuedEventChange(summary, keyDID: key.did, credentialSHA256: Hex.encode(SHA256.hash(signed.canonicalBytes))))
        try tx.certificates.insert(StoredCertificate(
            summary: summary, assessmentID: a.id, keyID: key.id, revocationIndex: revocation, suspensionIndex: suspension,
            saltCiphertext: try context.vault.seal(saltHex, record: item.id, column: "identity_salt"), credential: signed.canonicalBytes, eventID: event))
        // An issuer's first certificate publishes its (empty) lists, so its entries resolve.
        if !state.publishedLists.contains(item.issuer.id) {
            if try tx.statusLists.statusList(institution: item.issuer.id, purpose: .revocation) == nil {
                try context.publishStatusLists(tx, institution: item.issuer.id, at: date, bits: [])
            } else {
                state.publishedLists.insert(item.issuer.id)
            }
        }
        return summary
    }
}
