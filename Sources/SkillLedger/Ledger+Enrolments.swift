import Foundation
import GRDB
import SkillCore

extension Ledger {
    /// Enrols a worker in a course.
    /// - Returns: the enrolment.
    /// - Throws: `ledger.person-not-found`, `ledger.course-not-found`, `ledger.institution-suspended`,
    ///   `ledger.course-closed` (the course has ended), `ledger.course-full`, `ledger.enrolment-exists`.
    public func enrol(person: String, course: String, actor: Actor = .operatorCLI) throws(SkillError) -> Enrolment {
        let date = now
        return try write { db in try Ledger.enrol(db, person: person, course: course, actor: actor, at: date) }
    }

    static func enrol(_ db: Database, person: String, course courseID: String, actor: Actor, at date: Date) throws -> Enrolment {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM people WHERE id = ?"), arguments: [person]) != nil else {
            throw SkillError(.personNotFound, "no person '\(person.prefix(40))'", field: "person")
        }
        let sql = """
            SELECT c.institution_id, c.ends_on, c.capacity, i.status
            FROM courses c JOIN institutions i ON i.id = c.institution_id WHERE c.id = ?
            """
        guard let course = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [courseID]) else {
            throw SkillError(.courseNotFound, "no course '\(courseID.prefix(40))'", field: "course")
        }
        let institution: String = course["institution_id"]
        guard course["status"] == "active" else {
            throw SkillError(.institutionSuspended, "institution \(institution) is suspended and cannot enrol")
        }
        if let ends = (course["ends_on"] as String?).flatMap(CalendarDate.init(iso:)), ends < CalendarDate(date) {
            throw SkillError(.courseClosed, "course \(courseID) ended on \(ends)")
        }
        if let existing = try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM enrolments WHERE person_id = ? AND course_id = ?"), arguments: [person, courseID])
        {
            throw SkillError(.enrolmentExists, "this person is already enrolled in this course as \(existing)")
        }
        // Counting places costs a scan of the course's enrolments, so only courses with a cap pay it.
        if let capacity = course["capacity"] as Int? {
            let taken = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) FROM enrolments WHERE course_id = ? AND status <> 'withdrawn'"),
                arguments: [courseID]) ?? 0
            if taken >= capacity { throw SkillError(.courseFull, "course \(courseID) is full (\(capacity) places)") }
        }
        let id = IdentifierKind.enrolment.make(at: date)
        let time = Timestamp.format(date)
        let event = try appendEvent(
            db, type: "enrolment.created", actor: actor, at: date,
            subjects: ["enrolment": .string(id), "person": .string(person), "course": .string(courseID),
                       "institution": .string(institution)],
            change: ["status": "enrolled"])
        try db.cachedStatement(
            sql: "INSERT INTO enrolments(id, person_id, course_id, status, enrolled_at, event_id) VALUES (?, ?, ?, 'enrolled', ?, ?)"
        ).execute(arguments: [id, person, courseID, time, event])
        return Enrolment(id: id, personID: person, courseID: courseID, status: .enrolled, enrolledAt: time, closedAt: nil)
    }

    /// Closes an enrolment: `completed` deposits the course's credits into the worker's
    /// training account (one posting, same transaction); `failed` and `withdrawn` deposit nothing.
    /// - Returns: the enrolment and the credits deposited (tenths).
    /// - Throws: `ledger.enrolment-not-found`, `ledger.transition-invalid` (not enrolled any more),
    ///   `ledger.institution-suspended` (completion or failure recorded by a suspended institution).
    public func close(enrolment: String, as outcome: EnrolmentStatus, actor: Actor = .operatorCLI) throws(SkillError) -> (enrolment: Enrolment, creditedTenths: Int) {
        let date = now
        return try write { db in
            var cache = AccountCache()
            return try Ledger.close(db, enrolment: enrolment, as: outcome, actor: actor, at: date, accounts: &cache)
        }
    }

    static func close(
        _ db: Database, enrolment id: String, as outcome: EnrolmentStatus, actor: Actor, at date: Date, accounts: inout AccountCache
    ) throws -> (enrolment: Enrolment, creditedTenths: Int) {
        guard outcome != .enrolled else {
            throw SkillError(.transitionInvalid, "an enrolment can only move to completed, failed or withdrawn")
        }
        let sql = """
            SELECT e.status, e.person_id, e.course_id, e.enrolled_at, c.occupation, c.level, c.credit_tenths, c.institution_id,
                   i.status AS institution_status
            FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN institutions i ON i.id = c.institution_id
            WHERE e.id = ?
            """
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [id]) else {
            throw SkillError(.enrolmentNotFound, "no enrolment '\(id.prefix(40))'", field: "enrolment")
        }
        let current = EnrolmentStatus(rawValue: row["status"])!
        guard current.canMove(to: outcome) else {
            throw SkillError(.transitionInvalid, "enrolment \(id) is \(current.rawValue); only an enrolled one can become \(outcome.rawValue)")
        }
        let institution: String = row["institution_id"]
        if outcome != .withdrawn, row["institution_status"] != "active" {
            throw SkillError(.institutionSuspended, "institution \(institution) is suspended and cannot record results")
        }
        let person: String = row["person_id"]
        let occupation: String = row["occupation"]
        let level: Int = row["level"]
        let credit: Int = outcome == .completed ? row["credit_tenths"] : 0
        var change: [String: JSONValue] = ["status": .string(outcome.rawValue)]
        let postingID = IdentifierKind.posting.make(at: date)
        let from = AccountKey.issued(institution: institution, occupation: occupation, level: level)
        let to = AccountKey.training(person: person, occupation: occupation, level: level)
        if credit > 0 {
            change["posting"] = [
                "id": .string(postingID), "from": .string(from.description), "to": .string(to.description), "amount_tenths": .int(credit),
            ]
        }
        let time = Timestamp.format(date)
        let event = try appendEvent(
            db, type: "enrolment.\(outcome.rawValue)", actor: actor, at: date,
            subjects: ["enrolment": .string(id), "person": .string(person), "course": .string(row["course_id"]),
                       "institution": .string(institution)],
            change: .object(change))
        try db.cachedStatement(sql: "UPDATE enrolments SET status = ?, closed_at = ? WHERE id = ?")
            .execute(arguments: [outcome.rawValue, time, id])
        if credit > 0 {
            try post(db, id: postingID, from: from, to: to, tenths: credit, event: event, reference: id, accounts: &accounts)
        }
        let enrolment = Enrolment(id: id, personID: person, courseID: row["course_id"], status: outcome, enrolledAt: row["enrolled_at"], closedAt: time)
        return (enrolment, credit)
    }
}
