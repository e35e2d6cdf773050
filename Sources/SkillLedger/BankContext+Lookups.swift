import Foundation
import SkillCore
import SkillStore

/// Loading what a decision needs, with the not-found error each use case names.
extension BankContext {
    func requireInstitution(_ tx: any StoreTransaction, _ id: String, field: String = "institution") throws -> Institution {
        guard let institution = try tx.institutions.institution(id) else {
            throw SkillError(.institutionNotFound, "no institution '\(id.prefix(40))'", field: field)
        }
        return institution
    }

    /// The person; with `forChange`, one whose data was not erased (nothing new is recorded
    /// about an erased person).
    func requirePerson(_ tx: any StoreTransaction, _ id: String, field: String = "person", forChange: Bool = false) throws -> PersonSummary {
        guard let person = try tx.people.person(id) else { throw SkillError(.personNotFound, "no person '\(id.prefix(40))'", field: field) }
        if forChange, person.maskedName == Registration.erasedMask {
            throw SkillError(.personNotFound, "this person's data was erased; nothing more is recorded about them", field: field)
        }
        return person
    }

    func requireCourse(_ tx: any StoreTransaction, _ id: String, field: String = "course") throws -> Course {
        guard let course = try tx.training.course(id) else { throw SkillError(.courseNotFound, "no course '\(id.prefix(40))'", field: field) }
        return course
    }

    /// The assessment, with its theory pass mark from the Standards rule for its kind.
    func requireAssessment(_ tx: any StoreTransaction, _ id: String, field: String = "assessment") throws -> Assessment {
        guard var assessment = try tx.assessments.assessment(id) else {
            throw SkillError(.assessmentNotFound, "no assessment '\(id.prefix(40))'", field: field)
        }
        assessment.theoryPassMark = standards.assessmentRule(assessment.kind.credentialType)?.theoryPassMark
        return assessment
    }

    func requireCertificate(_ tx: any StoreTransaction, _ idOrNumber: String, field: String = "certificate") throws -> StoredCertificate {
        guard let certificate = try tx.certificates.certificate(idOrNumber) else {
            throw SkillError(.certificateNotFound, "no certificate '\(idOrNumber.prefix(40))'", field: field)
        }
        return certificate
    }

    /// The engine's view of a worker, read inside the caller's unit of work.
    func learningRecord(_ tx: any StoreTransaction, person: String, asOf date: Date) throws -> LearningRecord {
        _ = try requirePerson(tx, person)
        let balances = try tx.credits.balances(of: person).map {
            LearningRecord.Balance(kind: $0.account.kind, scope: $0.account.occupation, level: $0.account.level, tenths: $0.tenths)
        }
        var mappings: [String: String?] = [:]
        let certificates = try tx.certificates.certificates(of: person).map { c throws -> LearningRecord.Certificate in
            var externalTitle: String?
            if c.kind == "international-certificate", let assessment = try tx.certificates.certificate(c.id)?.assessmentID {
                if mappings[assessment] == nil { mappings[assessment] = try tx.assessments.assessment(assessment)?.dualMapping }
                externalTitle = mappings[assessment]!.flatMap { standards.dualMapping($0)?.externalTitle }
            }
            return LearningRecord.Certificate(
                id: c.id, number: c.number, kind: c.kind, occupation: c.occupation, level: c.level,
                issuedOn: CalendarDate(Timestamp.parse(c.issuedAt) ?? date), isActive: c.status == .active, externalTitle: externalTitle)
        }
        let completions = try tx.training.trainingHistory(person: person).filter { $0.enrolment.status == .completed }.map { line in
            LearningRecord.Completion(enrolmentID: line.enrolment.id, occupation: line.course.occupation, level: line.course.level,
                                      hours: line.course.hours, framework: line.course.framework, isOnline: line.course.isOnline)
        }
        let conversions = try tx.conversions.conversions(of: person).filter(\.isActive).map { c in
            LearningRecord.Conversion(id: c.id, ruleID: c.ruleID, family: c.family, programme: c.programme, evidence: c.evidence, tenths: c.tenths)
        }
        return LearningRecord(personID: person, balances: balances, certificates: certificates, completions: completions,
                              conversions: conversions, asOf: CalendarDate(date))
    }
}

/// Look-ups reused across the rows of one unit of work (bulk imports): what does not change
/// within it. Places taken in a course do change, so they are never kept here.
struct Lookups {
    private var institutions: [String: Institution] = [:]
    private var courses: [String: Course] = [:]
    private var assessments: [String: Assessment] = [:]

    mutating func institution(_ id: String, _ load: () throws -> Institution) rethrows -> Institution {
        if let hit = institutions[id] { return hit }
        let value = try load()
        institutions[id] = value
        return value
    }

    mutating func course(_ id: String, _ load: () throws -> Course) rethrows -> Course {
        if let hit = courses[id] { return hit }
        let value = try load()
        courses[id] = value
        return value
    }

    mutating func assessment(_ id: String, _ load: () throws -> Assessment) rethrows -> Assessment {
        if let hit = assessments[id] { return hit }
        let value = try load()
        assessments[id] = value
        return value
    }
}
