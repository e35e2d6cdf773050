import Foundation
import GRDB
import SkillCore
import SkillStore

/// A row of `courses`.
struct CourseRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "courses"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, title, occupation, level, hours, framework, capacity, online
        case institutionID = "institution_id", creditTenths = "credit_tenths", startsOn = "starts_on", endsOn = "ends_on", eventID = "event_id"
    }
    var id: String
    var institutionID: String
    var title: String
    var occupation: String
    var level: Int
    var hours: Int
    var framework: String
    var creditTenths: Int
    var startsOn: String
    var endsOn: String?
    var capacity: Int?
    var eventID: String
    var online: Bool

    func course(enrolled: Int) throws -> Course {
        Course(
            id: id, institutionID: institutionID, title: title, occupation: occupation, level: level, hours: hours, framework: framework,
            creditTenths: creditTenths, startsOn: try requiredDate(startsOn, "courses.starts_on", row: id), endsOn: calendarDate(endsOn),
            capacity: capacity, enrolled: enrolled, isOnline: online)
    }
}

/// A row of `enrolments`.
struct EnrolmentRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "enrolments"
    enum CodingKeys: String, CodingKey, ColumnExpression {
        case id, status
        case personID = "person_id", courseID = "course_id", enrolledAt = "enrolled_at", closedAt = "closed_at", eventID = "event_id"
    }
    var id: String
    var personID: String
    var courseID: String
    var status: String
    var enrolledAt: String
    var closedAt: String?
    var eventID: String

    func enrolment() throws -> Enrolment {
        Enrolment(id: id, personID: personID, courseID: courseID, status: try requiredCase(status, "enrolments.status", row: id),
                  enrolledAt: enrolledAt, closedAt: closedAt)
    }
}

struct SQLiteTraining: TrainingStore {
    let db: Database

    func insertCourse(_ c: Course, eventID: String) throws {
        try CourseRow(
            id: c.id, institutionID: c.institutionID, title: c.title, occupation: c.occupation, level: c.level, hours: c.hours,
            framework: c.framework, creditTenths: c.creditTenths, startsOn: c.startsOn.description, endsOn: c.endsOn?.description,
            capacity: c.capacity, eventID: eventID, online: c.isOnline
        ).insert(db)
    }

    func course(_ id: String) throws -> Course? {
        guard let row = try CourseRow.fetchOne(db, cached: "SELECT * FROM courses WHERE id = ?", [id]) else { return nil }
        return try row.course(enrolled: try placesTaken(course: id))
    }

    func courses(institution: String?, after cursor: String?, limit: Int?) throws -> [Course] {
        var request = CourseRow.filter(CourseRow.CodingKeys.id > (cursor ?? ""))
        if let institution { request = request.filter(CourseRow.CodingKeys.institutionID == institution) }
        request = request.order(CourseRow.CodingKeys.id)
        if let limit { request = request.limit(limit) }
        return try request.fetchAll(db).map { try $0.course(enrolled: try placesTaken(course: $0.id)) }
    }

    func placesTaken(course: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM enrolments WHERE course_id = ? AND status <> 'withdrawn'"), arguments: [course]) ?? 0
    }

    func insertEnrolment(_ e: Enrolment, eventID: String) throws {
        try db.run("INSERT INTO enrolments(id, person_id, course_id, status, enrolled_at, closed_at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [e.id, e.personID, e.courseID, e.status.rawValue, e.enrolledAt, e.closedAt, eventID])
    }

    func enrolment(_ id: String) throws -> Enrolment? {
        try EnrolmentRow.fetchOne(db, cached: "SELECT * FROM enrolments WHERE id = ?", [id])?.enrolment()
    }

    func enrolments(institution: String?, course: String?, status: EnrolmentStatus?, after cursor: String?, limit: Int) throws -> [Enrolment] {
        try EnrolmentRow.fetchAll(db, sql: """
            SELECT e.* FROM enrolments e JOIN courses c ON c.id = e.course_id
            WHERE e.id > ? AND (? IS NULL OR c.institution_id = ?) AND (? IS NULL OR e.course_id = ?) AND (? IS NULL OR e.status = ?)
            ORDER BY e.id LIMIT ?
            """, arguments: [cursor ?? "", institution, institution, course, course, status?.rawValue, status?.rawValue, limit]).map { try $0.enrolment() }
    }

    func enrolmentID(person: String, course: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM enrolments WHERE person_id = ? AND course_id = ?"), arguments: [person, course])
    }

    func closeEnrolment(_ id: String, as status: EnrolmentStatus, at time: String) throws {
        try db.run("UPDATE enrolments SET status = ?, closed_at = ? WHERE id = ?", [status.rawValue, time, id])
    }

    func trainingHistory(person: String) throws -> [TrainingLine] {
        // One joined read by column index: a long training history is the bulk of a worker's record.
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT e.id, e.course_id, e.status, e.enrolled_at, e.closed_at,
                   c.institution_id, c.title, c.occupation, c.level, c.hours, c.framework, c.credit_tenths, c.starts_on, c.ends_on,
                   c.capacity, c.online, i.name
            FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN institutions i ON i.id = c.institution_id
            WHERE e.person_id = ? ORDER BY e.id
            """), arguments: [person])
        var lines: [TrainingLine] = []
        while let r = try cursor.next() {
            let id: String = r[0]
            let enrolment = Enrolment(id: id, personID: person, courseID: r[1], status: try requiredCase(r[2], "enrolments.status", row: id),
                                      enrolledAt: r[3], closedAt: r[4])
            let course = Course(
                id: r[1], institutionID: r[5], title: r[6], occupation: r[7], level: r[8], hours: r[9], framework: r[10], creditTenths: r[11],
                startsOn: try requiredDate(r[12], "courses.starts_on", row: r[1]), endsOn: calendarDate(r[13]), capacity: r[14], enrolled: nil,
                isOnline: r[15])
            lines.append(TrainingLine(enrolment: enrolment, course: course, institutionName: r[16]))
        }
        return lines
    }
}
