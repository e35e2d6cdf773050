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
                throw SkillError(.invalidField, "no mapping '\(dualMapping.prefix(40))' in dual-certificates.json", field: "dual_mapping")
            }
            guard kind == .skill, m.occupation == occ.code, m.level == level else {
                throw SkillError(.invalidField, "mapping \(m.id) is for \(m.occupation) level \(m.level)", field: "dual_mapping")
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

    /// Assessments in id order after `cursor`, of one institution (all when nil).
    public func assessments(institutionID: String? = nil, after cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [Assessment] {
        try context.read { tx in try tx.assessments.assessments(institution: institutionID, after: cursor, limit: limit) }
    }

    /// An assessment's candidates in person-id order after `cursor`, with their results.
    /// - Throws: `ledger.assessment-not-found`.
    public func candidates(assessment id: String, after cursor: String? = nil, limit: Int = 50) throws(SkillError) -> [Candidate] {
        try context.read { tx in
            _ = try context.requireAssessment(tx, id)
            return try tx.assessments.candidates(assessment: id, after: cursor, limit: limit)
        }
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
            let a = try state.lookups.assessment(assessmentID) { try context.requireAssessment(tx, assessmentID) }
            return try recordResults(tx, a, [ResultInput(person: person, theory: theory, practical: practical)], actor: actor, at: date,
                                     state: &state)[0].get()
        }
    }

    /// Records results from CSV (`person,theory,practical`) in one unit of work, issuing
    /// certificates for passes, 1,000 rows at a time (see `recordResults`); reports bad rows like
    /// the other imports.
    /// - Returns: the report and the number of certificates issued.
    public func importResults(assessment assessmentID: String, from url: URL, skipBad: Bool = false, actor: Actor = .operatorCLI) throws(SkillError) -> (report: ImportReport, certificates: Int) {
        let rows = try CSVRows(url, columns: ImportKind.results.columns)
        let date = context.now
        var state = IssuanceState()
        var issued = 0
        let report = try RowImport(kind: .results, skipBad: skipBad, progress: nil).run(rows, in: context, batch: 1_000) { tx, records in
            let a = try state.lookups.assessment(assessmentID) { try context.requireAssessment(tx, assessmentID) }
            var inputs: [Int: ResultInput] = [:]
            var outcomes: [Result<AssessmentOutcome, SkillError>?] = Array(repeating: nil, count: records.count)
            for (i, record) in records.enumerated() {
                let f = record.fields
                let theoryText = f["theory"]!.trimmingSpaces
                guard let practical = Int(f["practical"]!.trimmingSpaces) else {
                    outcomes[i] = .failure(SkillError(.invalidField, "practical must be a whole number 0–100", field: "practical"))
                    continue
                }
                guard theoryText.isEmpty || Int(theoryText) != nil else {
                    outcomes[i] = .failure(SkillError(.invalidField, "theory must be a whole number 0–100 or empty", field: "theory"))
                    continue
                }
                inputs[i] = ResultInput(person: f["person"]!.trimmingSpaces, theory: Int(theoryText), practical: practical)
            }
            let parsed = inputs.keys.sorted()
            let results = try recordResults(tx, a, parsed.map { inputs[$0]! }, actor: actor, at: date, state: &state)
            for (i, result) in zip(parsed, results) { outcomes[i] = result }
            return outcomes.map { outcome -> RowImport.RowOutcome in
                switch outcome! {
                case .success(let o):
                    issued += o.certificates.count
                    return .done(o.certificates.map(\.id))
                case .failure(let error): return .refused(error)
                }
            }
        }
        return (report, report.committed ? issued : 0)
    }
}

/// A result to record: the candidate and their scores.
struct ResultInput {
    let person: String
    let theory: Int?
    let practical: Int
}

/// What a unit of work that issues certificates keeps between batches, none of which a refused
/// row can change: the assessments and institutions it has read, each issuer's signing key (a
/// rotation is a unit of work of its own), the number prefixes already checked against the 2020
/// scheme (later numbers of a prefix differ only in the six-digit serial), and the issuers whose
/// status lists were published before this unit (lists published inside it are not kept here:
/// a unit that rolls back takes them back).
struct IssuanceState {
    var lookups = Lookups()
    var signingKeys: [String: (KeyRecord, Ed25519PrivateKey)] = [:]
    var checkedPrefixes: Set<String> = []
    var publishedLists: Set<String> = []

    mutating func signingKey(_ owner: String, _ load: () throws -> (KeyRecord, Ed25519PrivateKey)) rethrows -> (KeyRecord, Ed25519PrivateKey) {
        if let hit = signingKeys[owner] { return hit }
        let key = try load()
        signingKeys[owner] = key
        return key
    }
}

extension Issuance {
    /// Records a batch of results of one assessment inside the caller's unit of work, issuing the
    /// certificates of the passes, as a few reads and writes for the whole batch: the candidates
    /// and holders are read at once, each row is decided in memory (in file order, so a second
    /// row for one candidate finds the first recorded), serials and status-list indices are
    /// allocated for all, and then the events with their log leaves, the results and the
    /// certificates are written together. A refused row writes nothing; the others go on.
    /// - Returns: each row's outcome, or the error that refused it.
    /// - Throws: what fails the batch as a whole (`ledger.status-list-full`, `store.*`).
    func recordResults(
        _ tx: any StoreTransaction, _ a: Assessment, _ inputs: [ResultInput], actor: Actor, at date: Date, state: inout IssuanceState
    ) throws -> [Result<AssessmentOutcome, SkillError>] {
        var results: [Result<AssessmentOutcome, SkillError>?] = Array(repeating: nil, count: inputs.count)
        let evaluator = try state.lookups.institution(a.institutionID) { try context.requireInstitution(tx, a.institutionID) }
        do {
            try evaluator.requireScope(occupation: a.occupation, level: a.level, on: CalendarDate(date))
        } catch {
            return inputs.map { _ in .failure(error) }
        }
        let persons = Array(Set(inputs.map(\.person)))
        var candidates = try tx.assessments.candidates(assessment: a.id, persons: persons)
        let holders = try tx.people.sealedPeople(persons)
        var awardingBody: Institution?
        if let mapping = a.dualMapping.flatMap({ context.standards.dualMapping($0) }), let id = try tx.institutions.institutionID(code: mapping.externalBodyCode) {
            awardingBody = try state.lookups.institution(id) { try context.requireInstitution(tx, id) }
        }

        // Decide every row, in order, and number the certificates of the passes.
        var decided: [(row: Int, passed: Bool, planned: [CertificateIssuance.Planned], numbers: [String])] = []
        var serials: [String: Int] = [:]
        // The holders' ID numbers, opened while deciding (one that no longer decrypts refuses its row).
        var idNumbers: [String: [UInt8]] = [:]
        defer { for key in Array(idNumbers.keys) { scrub(&idNumbers[key]!) } }
        for (row, input) in inputs.enumerated() {
            do {
                try a.validate(theory: input.theory, practical: input.practical)
                guard let candidate = candidates[input.person] else {
                    throw SkillError(.candidateNotFound, "\(input.person.prefix(40)) is not a candidate of \(a.id)", field: "person")
                }
                let passed = try CertificateIssuance.decide(a, candidate: candidate, theory: input.theory, practical: input.practical)
                var planned: [CertificateIssuance.Planned] = []
                var numbers: [String] = []
                if passed {
                    guard let holder = holders[input.person], !holder.idCiphertext.isEmpty else {
                        throw SkillError(.personNotFound, "no person '\(input.person.prefix(40))' whose data is kept", field: "person")
                    }
                    if idNumbers[input.person] == nil {
                        idNumbers[input.person] = Array(try context.vault.open(holder.idCiphertext, record: input.person, column: "id_number").utf8)
                    }
                    planned = CertificateIssuance.plan(a, evaluator: evaluator, awardingBody: awardingBody, standards: context.standards, at: date)
                    var allocated = serials
                    numbers = try planned.map { try number(tx, for: $0, serials: &allocated, state: &state) }
                    serials = allocated
                }
                candidates[input.person] = Candidate(assessmentID: a.id, personID: input.person, status: passed ? .passed : .failed,
                                                     theory: input.theory, practical: input.practical)
                decided.append((row, passed, planned, numbers))
            } catch let error as SkillError where error.refusesOnlyItsRow {
                results[row] = .failure(error)
            }
        }

        // Status-list indices for every certificate, then the signed certificates and the events, in row order.
        let indices = try freeStatusIndices(tx, wanted: decided.flatMap { d in d.planned.map(\.issuer.id) })
        var events: [LedgerEvent] = []
        var pending: [StoredCertificate] = []
        var outcomes: [(row: Int, outcome: AssessmentOutcome)] = []
        var next = 0
        for d in decided {
            let input = inputs[d.row]
            events.append(LedgerEvent(
                type: "assessment.result-recorded", actor: actor, at: date,
                subjects: ["assessment": .string(a.id), "person": .string(input.person), "institution": .string(a.institutionID)],
                change: ["theory": .optional(input.theory), "practical": .int(input.practical), "passed": .bool(d.passed)]))
            var issued: [CertificateSummary] = []
            if d.passed {
                for (i, item) in d.planned.enumerated() {
                    let twin = d.planned.count == 2 ? 1 - i : nil
                    // The twin signed second carries the digest of the one signed first.
                    let twinDigest = i == 1 ? pending.last.map { RelatedResourceDigest.multibase(of: $0.credential) } : nil
                    let (certificate, event) = try issueOne(
                        tx, item, number: d.numbers[i], twin: twin.map { (d.planned[$0].id, d.numbers[$0], twinDigest) }, assessment: a, person: input.person,
                        identity: (holders[input.person]!.summary.idType, idNumbers[input.person]!), statusIndices: indices[next], actor: actor, at: date,
                        state: &state)
                    next += 1
                    pending.append(certificate)
                    events.append(event)
                    issued.append(certificate.summary)
                }
            }
            outcomes.append((d.row, AssessmentOutcome(passed: d.passed, certificates: issued)))
        }

        // The writes, together.
        try context.append(tx, events)
        try tx.assessments.recordResults(
            assessment: a.id,
            decided.map { CandidateResult(person: inputs[$0.row].person, status: $0.passed ? .passed : .failed, theory: inputs[$0.row].theory,
                                          practical: inputs[$0.row].practical) },
            at: Timestamp.format(date))
        try tx.certificates.insert(pending)
        let issuedEvents = Dictionary(events.compactMap { e in e.type == "certificate.issued" ? e.subjects["certificate"]?.stringValue.map { ($0, e.id) } : nil },
                                      uniquingKeysWith: { a, _ in a })
        try Notices(context: context).issued(tx, pending.map(\.summary), events: issuedEvents, at: date)
        for (prefix, serial) in serials { try tx.certificates.setLastSerial(serial, prefix: prefix) }
        // An issuer's first certificate publishes its (empty) lists, so its entries resolve (and
        // an issuer from before the message list gets one).
        for issuer in Set(pending.map(\.summary.institutionID)) where !state.publishedLists.contains(issuer) {
            if try tx.statusLists.statusList(institution: issuer, purpose: .message) == nil {
                try context.publishStatusLists(tx, institution: issuer, at: date, bits: [])
            } else {
                state.publishedLists.insert(issuer)
            }
        }
        for (row, outcome) in outcomes { results[row] = .success(outcome) }
        return results.map { $0! }
    }

    /// The certificate's number: the next 2020-scheme number of its prefix (serials never
    /// reused; `serials` holds the ones allocated in this batch), or its id when it has no
    /// scheme number.
    /// - Throws: `ledger.serials-exhausted`, `certificate.number-invalid` (the scheme refuses the parts).
    private func number(
        _ tx: any StoreTransaction, for item: CertificateIssuance.Planned, serials: inout [String: Int], state: inout IssuanceState
    ) throws -> String {
        guard var parts = item.numberParts, let scheme = context.standards.numberScheme("skill-level-2020") else { return item.id }
        let prefix = CertificateNumbering.prefix(parts)
        let last = try serials[prefix] ?? tx.certificates.lastSerial(prefix: prefix)
        let serial = try CertificateNumbering.nextSerial(after: last, prefix: prefix)
        parts["serial"] = CertificateNumbering.serialText(serial)
        if !state.checkedPrefixes.contains(prefix) {
            _ = try scheme.compose(parts, provinces: context.standards.provinceCodes, levels: context.standards.levelCodes)
            state.checkedPrefixes.insert(prefix)
        }
        serials[prefix] = serial
        return prefix + parts["serial"]!
    }

    /// Random free indices in the revocation and suspension lists of each certificate's issuer
    /// (random for herd privacy), one pair per entry of `issuers`: drawn for all at once, and the
    /// ones taken (in the store or by another draw) drawn again.
    /// - Throws: `ledger.status-list-full` when 64 rounds leave some without a free entry.
    private func freeStatusIndices(_ tx: any StoreTransaction, wanted issuers: [String]) throws -> [(revocation: Int, suspension: Int)] {
        var rng = SystemRandomNumberGenerator()
        var chosen: [(revocation: Int?, suspension: Int?)] = Array(repeating: (nil, nil), count: issuers.count)
        var used: [String: (revocation: Set<Int>, suspension: Set<Int>)] = [:]
        for _ in 0..<64 {
            var draws: [String: [(slot: Int, revocation: Int?, suspension: Int?)]] = [:]
            for (slot, issuer) in issuers.enumerated() where chosen[slot].revocation == nil || chosen[slot].suspension == nil {
                let r = chosen[slot].revocation == nil ? Int.random(in: 0..<BitstringStatusList.minimumLength, using: &rng) : nil
                let s = chosen[slot].suspension == nil ? Int.random(in: 0..<BitstringStatusList.minimumLength, using: &rng) : nil
                draws[issuer, default: []].append((slot, r, s))
            }
            if draws.isEmpty { break }
            for (issuer, list) in draws {
                let taken = try tx.certificates.statusIndicesTaken(institution: issuer, revocation: list.compactMap(\.revocation),
                                                                   suspension: list.compactMap(\.suspension))
                var mine = used[issuer] ?? ([], [])
                for draw in list {
                    if let r = draw.revocation, !taken.revocation.contains(r), mine.revocation.insert(r).inserted { chosen[draw.slot].revocation = r }
                    if let s = draw.suspension, !taken.suspension.contains(s), mine.suspension.insert(s).inserted { chosen[draw.slot].suspension = s }
                }
                used[issuer] = mine
            }
        }
        return try chosen.enumerated().map { slot, pair in
            guard let r = pair.revocation, let s = pair.suspension else {
                throw SkillError(.statusListFull, "institution \(issuers[slot])'s status list has no free entry left")
            }
            return (r, s)
        }
    }

    /// Signs one certificate and makes its `certificate.issued` event (written by the caller
    /// with the others; the certificate names its event once that has its id).
    private func issueOne(
        _ tx: any StoreTransaction, _ item: CertificateIssuance.Planned, number: String, twin: (id: String, number: String, digest: String?)?, assessment a: Assessment,
        person: String, identity: (type: IDType, number: [UInt8]), statusIndices: (revocation: Int, suspension: Int), actor: Actor, at date: Date,
        state: inout IssuanceState
    ) throws -> (StoredCertificate, LedgerEvent) {
        let (key, privateKey) = try state.signingKey(item.issuer.id) { try context.signingKey(tx, owner: item.issuer.id) }
        let time = Timestamp.format(date)
        let saltHex = Hex.encode(try SecureRandom.bytes(16))
        let identityHash = "sha256$" + Hex.encode(SHA256.hash(identity.number + Array(saltHex.utf8)))
        let claims = CertificateIssuance.claims(
            for: item, number: number, twinNumber: twin?.number, twinDigest: twin?.digest, occupation: a.occupation, level: a.level, standards: context.standards,
            issuerDID: key.did, validFrom: time, identityHash: identityHash,
            identityType: identity.type == .resident ? "nationalIdentityNumber" : "identifier",
            status: .message(index: statusIndices.revocation, listCredential: context.statusListURL(item.issuer.id, .message)),
            registryURL: context.baseURL)
        let signed = try DataIntegrityProof.secure(claims.unsignedCredential, with: privateKey, verificationMethod: key.verificationMethod, created: time)
        let summary = CertificateSummary(
            id: item.id, number: number, kind: item.credentialType, institutionID: item.issuer.id, personID: person, occupation: a.occupation,
            level: a.level, issuedAt: time, status: .active, twinID: twin?.id)
        let event = LedgerEvent(
            type: "certificate.issued", actor: actor, at: date,
            subjects: ["certificate": .string(item.id), "person": .string(person), "institution": .string(item.issuer.id), "assessment": .string(a.id)],
            change: CertificateIssuance.issuedEventChange(summary, keyDID: key.did, credentialSHA256: Hex.encode(SHA256.hash(signed.canonicalBytes))))
        let certificate = StoredCertificate(
            summary: summary, assessmentID: a.id, keyID: key.id, revocationIndex: statusIndices.revocation, suspensionIndex: statusIndices.suspension,
            saltCiphertext: try context.vault.seal(saltHex, record: item.id, column: "identity_salt"), credential: signed.canonicalBytes, eventID: event.id)
        return (certificate, event)
    }
}
