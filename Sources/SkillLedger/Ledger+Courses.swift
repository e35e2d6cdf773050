import Foundation
import GRDB
import SkillCore

/// What publishing a course needs.
public struct CoursePublication: Sendable {
    public var institutionID: String
    public var title: String
    public var occupation: String
    public var level: Int
    public var hours: Int
    public var capacity: Int?
    /// Framework whose hours-per-credit rule turns hours into credits; nil = the Standards default.
    public var framework: String?
    public var startsOn: CalendarDate?
    public var endsOn: CalendarDate?
    /// Taught online (its completions convert under the online-course caps).
    public var isOnline: Bool

    public init(
        institutionID: String, title: String, occupation: String, level: Int, hours: Int, capacity: Int? = nil,
        framework: String? = nil, startsOn: CalendarDate? = nil, endsOn: CalendarDate? = nil, isOnline: Bool = false
    ) {
        self.isOnline = isOnline
        self.institutionID = institutionID
        self.title = title
        self.occupation = occupation
        self.level = level
        self.hours = hours
        self.capacity = capacity
        self.framework = framework
        self.startsOn = startsOn
        self.endsOn = endsOn
    }
}

extension Ledger {
    /// Publishes a course inside the institution's accreditation scope. Its credits are
    /// computed from hours by the framework's rule and fixed at publication.
    /// - Returns: the course.
    /// - Throws: `input.invalid-field` (title, hours, capacity, dates), `standards.*`,
    ///   `ledger.institution-not-found`, `ledger.institution-suspended`, `ledger.out-of-accreditation-scope`.
    public func publishCourse(_ p: CoursePublication, actor: Actor = .operatorCLI) throws(SkillError) -> Course {
        let title = p.title.trimmingSpaces
        guard !title.isEmpty, title.count <= 200 else {
            throw SkillError(.invalidField, "the title must have 1–200 characters", field: "--title")
        }
        guard (1...10_000).contains(p.hours) else {
            throw SkillError(.invalidField, "hours must be a whole number from 1 to 10000, got \(p.hours)", field: "--hours")
        }
        if let c = p.capacity, !(1...100_000).contains(c) {
            throw SkillError(.invalidField, "capacity must be from 1 to 100000, got \(c)", field: "--capacity")
        }
        let occupation = try standards.requireOccupation(p.occupation)
        _ = try standards.requireLevel(p.level, of: occupation)
        let framework = try p.framework.map { id throws(SkillError) in try standards.requireCreditFramework(id) } ?? standards.defaultFramework
        let credit = framework.creditTenths(forHours: p.hours)!
        let starts = p.startsOn ?? today
        if let ends = p.endsOn, ends < starts {
            throw SkillError(.invalidField, "the course ends (\(ends)) before it starts (\(starts))", field: "--ends")
        }
        let date = now
        let id = IdentifierKind.course.make(at: date)
        let course = Course(
            id: id, institutionID: p.institutionID, title: title, occupation: occupation.code, level: p.level, hours: p.hours,
            framework: framework.id, creditTenths: credit, startsOn: starts, endsOn: p.endsOn, capacity: p.capacity, enrolled: 0,
            isOnline: p.isOnline)
        try write { db in
            let institution = try Ledger.requireInstitution(db, p.institutionID)
            try Ledger.requireScope(institution, occupation: occupation.code, level: p.level, on: starts)
            if let ends = p.endsOn {
                try Ledger.requireScope(institution, occupation: occupation.code, level: p.level, on: ends)
            }
            var change = course.json.objectValue!
            change["enrolled"] = nil
            let event = try Ledger.appendEvent(
                db, type: "course.published", actor: actor, at: date,
                subjects: ["course": .string(id), "institution": .string(p.institutionID)], change: .object(change))
            try db.execute(
                sql: """
                    INSERT INTO courses(id, institution_id, title, occupation, level, hours, framework, credit_tenths, starts_on, ends_on, capacity, event_id, online)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, p.institutionID, title, occupation.code, p.level, p.hours, framework.id, credit, starts.description,
                            p.endsOn?.description, p.capacity, event, p.isOnline ? 1 : 0])
        }
        return course
    }

    /// Courses, optionally of one institution, in publication order.
    public func courses(institutionID: String? = nil) throws(SkillError) -> [Course] {
        try courses(institutionID: institutionID, after: nil, limit: -1)  // SQLite: a negative LIMIT means none
    }

    /// One course.
    /// - Throws: `ledger.course-not-found`.
    public func course(_ id: String) throws(SkillError) -> Course {
        try read { db in try Ledger.requireCourse(db, id) }
    }

    static func requireCourse(_ db: Database, _ id: String) throws -> Course {
        let sql = """
            SELECT c.*, (SELECT count(*) FROM enrolments e WHERE e.course_id = c.id AND e.status <> 'withdrawn') AS enrolled
            FROM courses c WHERE c.id = ?
            """
        guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [id]) else {
            throw SkillError(.courseNotFound, "no course '\(id.prefix(40))'", field: "course")
        }
        return Course(row: row)
    }
}

extension Course {
    init(row: Row) {
        self.init(
            id: row["id"], institutionID: row["institution_id"], title: row["title"], occupation: row["occupation"],
            level: row["level"], hours: row["hours"], framework: row["framework"], creditTenths: row["credit_tenths"],
            startsOn: CalendarDate(iso: row["starts_on"])!, endsOn: (row["ends_on"] as String?).flatMap(CalendarDate.init(iso:)),
            capacity: row["capacity"], enrolled: row["enrolled"], isOnline: row["online"] as Int != 0)
    }
}
