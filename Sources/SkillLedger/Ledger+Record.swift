import Foundation
import GRDB
import SkillCore

/// A worker's whole record (个人培训电子档案): who (masked), what they enrolled in and
/// completed, and the credits they hold.
public struct WorkerRecord: Sendable {
    /// One line of the training history.
    public struct Training: Sendable, Hashable {
        public let enrolment: Enrolment
        public let courseTitle: String
        public let occupation: String
        public let occupationName: String
        public let level: Int
        public let hours: Int
        public let institutionID: String
        public let institutionName: String
        public let creditedTenths: Int
    }

    public let person: PersonSummary
    public let training: [Training]
    public let balances: [AccountBalance]
    public let certificates: [CertificateSummary]
    public let conversions: [ConversionRecord]

    /// Sum of the worker's training credits, in tenths.
    public var trainingTenths: Int { balances.filter { $0.account.kind == "training" }.reduce(0) { $0 + $1.tenths } }

    public var json: JSONValue {
        [
            "person": person.json,
            "training": .array(training.map { t in
                [
                    "enrolment": .string(t.enrolment.id), "course": .string(t.enrolment.courseID), "title": .string(t.courseTitle),
                    "occupation": .string(t.occupation), "occupation_name": .string(t.occupationName), "level": .int(t.level),
                    "hours": .int(t.hours), "institution": .string(t.institutionID), "institution_name": .string(t.institutionName),
                    "status": .string(t.enrolment.status.rawValue), "enrolled_at": .string(t.enrolment.enrolledAt),
                    "closed_at": .optional(t.enrolment.closedAt), "credited": .string(Credits.format(t.creditedTenths)),
                ]
            }),
            "balances": .array(balances.map(\.json)),
            "certificates": .array(certificates.map(\.json)),
            "conversions": .array(conversions.map(\.json)),
            "training_credits": .string(Credits.format(trainingTenths)),
        ]
    }
}

extension Ledger {
    /// The worker's record, read from one snapshot.
    /// - Throws: `ledger.person-not-found`.
    public func record(of personID: String) throws(SkillError) -> WorkerRecord {
        try read { db in
            let person = try Ledger.requirePerson(db, personID)
            let sql = """
                SELECT e.id, e.course_id, e.status, e.enrolled_at, e.closed_at, c.title, c.occupation, c.level, c.hours,
                       c.credit_tenths, c.institution_id, i.name AS institution_name
                FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN institutions i ON i.id = c.institution_id
                WHERE e.person_id = ? ORDER BY e.id
                """
            let training = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [personID]).map { r in
                let status = EnrolmentStatus(rawValue: r["status"])!
                let occupation: String = r["occupation"]
                return WorkerRecord.Training(
                    enrolment: Enrolment(id: r["id"], personID: personID, courseID: r["course_id"], status: status,
                                         enrolledAt: r["enrolled_at"], closedAt: r["closed_at"]),
                    courseTitle: r["title"], occupation: occupation, occupationName: standards.occupation(occupation)?.zh ?? "",
                    level: r["level"], hours: r["hours"], institutionID: r["institution_id"], institutionName: r["institution_name"],
                    creditedTenths: status == .completed ? r["credit_tenths"] : 0)
            }
            return WorkerRecord(
                person: person, training: training, balances: try Ledger.balances(db, personID),
                certificates: try Ledger.certificates(db, personID), conversions: try Ledger.conversions(db, personID))
        }
    }
}
