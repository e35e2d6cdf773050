import Foundation
import SkillCore
import SkillCredentials
import SkillStore

/// A worker's whole record (个人培训电子档案): who (masked), what they enrolled in and
/// completed, the credits they hold, their certificates and conversions.
public struct WorkerRecord: Sendable {
    public let person: PersonSummary
    public let training: [TrainingLine]
    public let balances: [AccountBalance]
    public let certificates: [CertificateSummary]
    public let conversions: [ConversionRecord]
    /// Occupation names from Standards, by code, for display.
    let occupationNames: [String: String]

    /// Sum of the worker's training credits, in tenths.
    public var trainingTenths: Int { balances.filter { $0.account.kind == "training" }.reduce(0) { $0 + $1.tenths } }

    /// The occupation's name in the Standards (empty when unknown).
    public func occupationName(_ code: String) -> String { occupationNames[code] ?? "" }

    public var json: JSONValue {
        [
            "person": person.json,
            "training": .array(training.map { t in
                [
                    "enrolment": .string(t.enrolment.id), "course": .string(t.enrolment.courseID), "title": .string(t.course.title),
                    "occupation": .string(t.course.occupation), "occupation_name": .string(occupationName(t.course.occupation)),
                    "level": .int(t.course.level), "hours": .int(t.course.hours), "institution": .string(t.course.institutionID),
                    "institution_name": .string(t.institutionName), "status": .string(t.enrolment.status.rawValue),
                    "enrolled_at": .string(t.enrolment.enrolledAt), "closed_at": .optional(t.enrolment.closedAt),
                    "credited": .string(Credits.format(t.creditedTenths)),
                ]
            }),
            "balances": .array(balances.map(\.json)),
            "certificates": .array(certificates.map(\.json)),
            "conversions": .array(conversions.map(\.json)),
            "training_credits": .string(Credits.format(trainingTenths)),
        ]
    }
}

/// Workers' records, balances and statements, and reconciliation of the credit ledger.
public struct Accounts: Sendable {
    let context: BankContext

    /// The worker's record, read from one snapshot.
    /// - Throws: `ledger.person-not-found`.
    public func record(of personID: String) throws(SkillError) -> WorkerRecord {
        let standards = context.standards
        return try context.read { tx in
            let person = try context.requirePerson(tx, personID)
            let training = try tx.training.trainingHistory(person: personID)
            var names: [String: String] = [:]
            for line in training { names[line.course.occupation] = standards.occupation(line.course.occupation)?.zh }
            return WorkerRecord(
                person: person, training: training, balances: try tx.credits.balances(of: personID),
                certificates: try tx.certificates.certificates(of: personID), conversions: try tx.conversions.conversions(of: personID),
                occupationNames: names)
        }
    }

    /// Balances of every account `ownerID` holds, derived from postings.
    public func balances(of ownerID: String) throws(SkillError) -> [AccountBalance] {
        try context.read { tx in try tx.credits.balances(of: ownerID) }
    }

    /// Checks the ledger's invariants (`Reconciliation.check`) on what the store reports.
    /// - Returns: what was checked and every problem found (empty when the ledger reconciles).
    public func reconcile() throws(SkillError) -> ReconciliationReport {
        let (facts, subsidies) = try context.read { tx in (try tx.credits.reconciliationFacts(), try tx.subsidies.ledger()) }
        let credits = Reconciliation.check(facts)
        // The subsidy ledger (fen) reconciles with its claims and batches in the same snapshot.
        let subsidyProblems = SubsidyReconciliation.check(claims: subsidies.claims, postings: subsidies.postings, batches: subsidies.batches)
        return ReconciliationReport(postings: credits.postings, events: credits.events, depositedTenths: credits.depositedTenths,
                                    problems: credits.problems + subsidyProblems.map { "subsidy ledger: \($0)" })
    }

    /// The worker's learning-account statement: credits by account, certificates and
    /// conversions, as a verifiable credential signed now by the registry (eddsa-jcs-2022).
    /// The subject is the registry's pseudonymous person id: no name, no ID number.
    /// - Throws: `ledger.person-not-found`.
    public func statement(of person: String) throws(SkillError) -> JSONValue {
        let date = context.now
        return try context.read { tx in
            let record = try context.learningRecord(tx, person: person, asOf: date)
            let conversions = try tx.conversions.conversions(of: person)
            // One status vocabulary: a certificate is active, suspended or revoked, as everywhere else.
            let statuses = Dictionary(try tx.certificates.certificates(of: person).map { ($0.id, $0.status.rawValue) }, uniquingKeysWith: { a, _ in a })
            let (key, privateKey) = try context.signingKey(tx, owner: registryOwner)
            let time = Timestamp.format(date)
            let skillbank = SkillBankContext.reference(baseURL: context.baseURL)
            let unsigned: JSONValue = JSONValue.object([
                "@context": [.string(Contexts.vc2), .string(skillbank.url)],
                "id": .string("urn:skillbank:statement:\(person):\(time)"),
                "type": ["VerifiableCredential", .string(StatementCredential.type)],
                "issuer": ["id": .string(key.did), "name": "SkillBank Registry"],
                "validFrom": .string(time),
                "credentialSubject": [
                    "id": .string("urn:skillbank:person:\(person)"),
                    "asOf": .string(record.asOf.description),
                    "balances": .array(record.balances.map { b in
                        ["kind": .string(b.kind), "scope": .string(b.scope), "level": .int(b.level), "credits": .string(Credits.format(b.tenths)),
                         "tenths": .int(b.tenths)]
                    }),
                    "certificates": .array(record.certificates.map { c in
                        ["number": .string(c.number), "kind": .string(c.kind), "occupation": .string(c.occupation), "level": .optional(c.level),
                         "issued": .string(c.issuedOn.description), "status": .string(statuses[c.id] ?? (c.isActive ? "active" : "revoked"))]
                    }),
                    "conversions": .array(conversions.map(\.json)),
                ],
                "relatedResource": [skillbank.relatedResource],
            ]).withoutNullMembers
            return try DataIntegrityProof.sign(unsigned, with: privateKey, verificationMethod: key.verificationMethod, created: time)
        }
    }
}
