import Foundation
import SkillCore
import SkillStore

/// Courses, enrolments and completions: load → decide (`EnrolmentPolicy`) → persist.
public struct Training: Sendable {
    let context: BankContext

    /// Publishes a course inside the institution's accreditation scope. Its credits are
    /// computed from hours by the framework's rule and fixed at publication.
    /// - Returns: the course.
    /// - Throws: `input.invalid-field` (title, hours, capacity, dates), `standards.*`, `ledger.institution-kind-not-allowed` (an evaluator or awarding body),
    ///   `ledger.institution-not-found`, `ledger.institution-suspended`, `ledger.out-of-accreditation-scope`.
    public func publishCourse(_ p: CoursePublication, actor: Actor = .operatorCLI) throws(SkillError) -> Course {
        let title = p.title.trimmingSpaces
        guard !title.isEmpty, title.count <= 200 else {
            throw SkillError(.invalidField, "the title must have 1–200 characters", field: "title")
        }
        guard (1...10_000).contains(p.hours) else {
            throw SkillError(.invalidField, "hours must be a whole number from 1 to 10000, got \(p.hours)", field: "hours")
        }
        if let c = p.capacity, !(1...100_000).contains(c) {
            throw SkillError(.invalidField, "capacity must be from 1 to 100000, got \(c)", field: "capacity")
        }
        let standards = context.standards
        let occupation = try standards.requireOccupation(p.occupation)
        _ = try standards.requireLevel(p.level, of: occupation)
        let framework = try p.framework.map { id throws(SkillError) in try standards.requireCreditFramework(id) } ?? standards.defaultFramework
        guard let credit = framework.creditTenths(forHours: p.hours) else {
            throw SkillError(.frameworkUnknown, "framework \(framework.id) does not turn hours into credits", field: "framework")
        }
        let starts = p.startsOn ?? context.today
        if let ends = p.endsOn, ends < starts {
            throw SkillError(.invalidField, "the course ends (\(ends)) before it starts (\(starts))", field: "ends_on")
        }
        let date = context.now
        let course = Course(
            id: IdentifierKind.course.make(at: date), institutionID: p.institutionID, title: title, occupation: occupation.code, level: p.level,
            hours: p.hours, framework: framework.id, creditTenths: credit, startsOn: starts, endsOn: p.endsOn, capacity: p.capacity, enrolled: 0,
            isOnline: p.isOnline)
        try context.write { tx in
            let institution = try context.requireInstitution(tx, p.institutionID)
            // Training providers train, and employers train their own staff (企业培训); evaluation
            // organisations and awarding bodies assess and certify but do not sell courses.
            guard institution.kind == .training || institution.kind == .employer else {
                throw SkillError(.kindNotAllowed, "only training providers and employers publish courses; \(institution.id) is a \(institution.kind.rawValue) institution")
            }
            try institution.requireScope(occupation: occupation.code, level: p.level, on: starts)
            if let ends = p.endsOn { try institution.requireScope(occupation: occupation.code, level: p.level, on: ends) }
            var change = course.json.objectValue!
            change["enrolled"] = nil
            let event = try context.append(
                tx, "course.published", actor: actor, at: date,
                subjects: ["course": .string(course.id), "institution": .string(p.institutionID)], change: .object(change))
            try tx.training.insertCourse(course, eventID: event)
        }
        return course
    }

    /// One course with the places taken in it.
    /// - Throws: `ledger.course-not-found`.
    public func course(_ id: String) throws(SkillError) -> Course {
        try context.read { tx in try context.requireCourse(tx, id) }
    }

    /// Courses in id order after `cursor`, optionally of one institution, at most `limit` (all when nil).
    public func courses(institutionID: String? = nil, after cursor: String? = nil, limit: Int? = nil) throws(SkillError) -> [Course] {
        try context.read { tx in try tx.training.courses(institution: institutionID, after: cursor, limit: limit) }
    }

    /// Enrolments in id order after `cursor`: in `institutionID`'s courses (all when nil),
    /// optionally of one course and one status.
    public func enrolments(
        institutionID: String? = nil, course: String? = nil, status: EnrolmentStatus? = nil, after cursor: String? = nil, limit: Int = 50
    ) throws(SkillError) -> [Enrolment] {
        try context.read { tx in try tx.training.enrolments(institution: institutionID, course: course, status: status, after: cursor, limit: limit) }
    }

    /// Enrols a worker in a course.
    /// - Returns: the enrolment.
    /// - Throws: `ledger.person-not-found`, `ledger.course-not-found`, `ledger.institution-suspended`,
    ///   `ledger.course-closed` (the course has ended), `ledger.course-full`, `ledger.enrolment-exists`.
    public func enrol(person: String, course: String, actor: Actor = .operatorCLI) throws(SkillError) -> Enrolment {
        let date = context.now
        return try context.write { tx in
            var lookups = Lookups()
            return try enrol(tx, person: person, course: course, actor: actor, at: date, lookups: &lookups)
        }
    }

    func enrol(
        _ tx: any StoreTransaction, person: String, course courseID: String, actor: Actor, at date: Date, lookups: inout Lookups
    ) throws -> Enrolment {
        _ = try context.requirePerson(tx, person, forChange: true)
        let course = try lookups.course(courseID) { try context.requireCourse(tx, courseID) }
        let institution = try lookups.institution(course.institutionID) { try context.requireInstitution(tx, course.institutionID) }
        try EnrolmentPolicy.admit(
            to: course, institutionIsActive: !institution.isSuspended, existingEnrolment: try tx.training.enrolmentID(person: person, course: courseID),
            placesTaken: course.capacity == nil ? 0 : try tx.training.placesTaken(course: courseID), on: CalendarDate(date))
        let enrolment = Enrolment(
            id: IdentifierKind.enrolment.make(at: date), personID: person, courseID: courseID, status: .enrolled, enrolledAt: Timestamp.format(date),
            closedAt: nil)
        let event = try context.append(
            tx, "enrolment.created", actor: actor, at: date,
            subjects: ["enrolment": .string(enrolment.id), "person": .string(person), "course": .string(courseID),
                       "institution": .string(course.institutionID)],
            change: ["status": "enrolled"])
        try tx.training.insertEnrolment(enrolment, eventID: event)
        return enrolment
    }

    /// Closes an enrolment: `completed` deposits the course's credits into the worker's
    /// training account (one posting, same unit of work); `failed` and `withdrawn` deposit nothing.
    /// - Returns: the enrolment and the credits deposited (tenths).
    /// - Throws: `ledger.enrolment-not-found`, `ledger.transition-invalid` (not enrolled any more),
    ///   `ledger.institution-suspended` (completion or failure recorded by a suspended institution).
    public func close(enrolment: String, as outcome: EnrolmentStatus, actor: Actor = .operatorCLI) throws(SkillError) -> (enrolment: Enrolment, creditedTenths: Int) {
        let date = context.now
        return try context.write { tx in
            var lookups = Lookups()
            return try close(tx, enrolment: enrolment, as: outcome, actor: actor, at: date, lookups: &lookups)
        }
    }

    func close(
        _ tx: any StoreTransaction, enrolment id: String, as outcome: EnrolmentStatus, actor: Actor, at date: Date, lookups: inout Lookups
    ) throws -> (enrolment: Enrolment, creditedTenths: Int) {
        guard let enrolment = try tx.training.enrolment(id) else {
            throw SkillError(.enrolmentNotFound, "no enrolment '\(id.prefix(40))'", field: "enrolment")
        }
        let course = try lookups.course(enrolment.courseID) { try context.requireCourse(tx, enrolment.courseID) }
        let institution = try lookups.institution(course.institutionID) { try context.requireInstitution(tx, course.institutionID) }
        let closure = try EnrolmentPolicy.close(
            enrolment, as: outcome, course: course, institutionIsActive: !institution.isSuspended, postingID: IdentifierKind.posting.make(at: date),
            today: CalendarDate(date))
        let time = Timestamp.format(date)
        let event = try context.append(
            tx, "enrolment.\(outcome.rawValue)", actor: actor, at: date,
            subjects: ["enrolment": .string(id), "person": .string(enrolment.personID), "course": .string(course.id),
                       "institution": .string(course.institutionID)],
            change: closure.change)
        try tx.training.closeEnrolment(id, as: closure.status, at: time)
        if let posting = closure.posting { try tx.credits.post(posting, eventID: event) }
        // Credits may make the worker eligible to sit a level, a subsidised course completed may pay.
        if closure.status == .completed { try Notices(context: context).refresh(tx, person: enrolment.personID, at: date, trigger: event) }
        let closed = Enrolment(id: id, personID: enrolment.personID, courseID: course.id, status: closure.status, enrolledAt: enrolment.enrolledAt, closedAt: time)
        return (closed, closure.posting?.tenths ?? 0)
    }
}
