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

/// A published course.
public struct Course: Sendable, Hashable {
    public let id: String
    public let institutionID: String
    public let title: String
    public let occupation: String
    public let level: Int
    public let hours: Int
    public let framework: String
    /// Credits a completion deposits, in tenths, fixed when the course is published.
    public let creditTenths: Int
    public let startsOn: CalendarDate
    public let endsOn: CalendarDate?
    public let capacity: Int?
    /// Places taken (enrolments not withdrawn) when the course was read; nil where they were
    /// not counted (a line of a worker's history).
    public let enrolled: Int?
    public let isOnline: Bool

    public init(
        id: String, institutionID: String, title: String, occupation: String, level: Int, hours: Int, framework: String, creditTenths: Int,
        startsOn: CalendarDate, endsOn: CalendarDate?, capacity: Int?, enrolled: Int?, isOnline: Bool
    ) {
        self.id = id
        self.institutionID = institutionID
        self.title = title
        self.occupation = occupation
        self.level = level
        self.hours = hours
        self.framework = framework
        self.creditTenths = creditTenths
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.capacity = capacity
        self.enrolled = enrolled
        self.isOnline = isOnline
    }

    public var json: JSONValue {
        [
            "id": .string(id), "institution": .string(institutionID), "title": .string(title),
            "occupation": .string(occupation), "level": .int(level), "hours": .int(hours), "framework": .string(framework),
            "credits": .string(Credits.format(creditTenths)), "credit_tenths": .int(creditTenths),
            "starts_on": .string(startsOn.description), "ends_on": .optional(endsOn?.description),
            "capacity": .optional(capacity), "enrolled": .optional(enrolled), "online": .bool(isOnline),
        ]
    }
}

/// Where an enrolment is in its life: enrolled → completed | failed | withdrawn.
public enum EnrolmentStatus: String, Sendable, CaseIterable, Codable {
    case enrolled, completed, failed, withdrawn

    /// Whether moving from this status to `next` is allowed (only forward, only from enrolled).
    public func canMove(to next: EnrolmentStatus) -> Bool {
        self == .enrolled && next != .enrolled
    }

    /// Whether the enrolment holds a place in its course.
    public var holdsPlace: Bool { self != .withdrawn }
}

/// A person's enrolment in a course.
public struct Enrolment: Sendable, Hashable {
    public let id: String
    public let personID: String
    public let courseID: String
    public let status: EnrolmentStatus
    public let enrolledAt: String
    public let closedAt: String?

    public init(id: String, personID: String, courseID: String, status: EnrolmentStatus, enrolledAt: String, closedAt: String?) {
        self.id = id
        self.personID = personID
        self.courseID = courseID
        self.status = status
        self.enrolledAt = enrolledAt
        self.closedAt = closedAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "person": .string(personID), "course": .string(courseID), "status": .string(status.rawValue),
            "enrolled_at": .string(enrolledAt), "closed_at": .optional(closedAt),
        ]
    }
}

/// One line of a worker's training history: the enrolment, the course it is in, and the
/// name of the institution that teaches it.
public struct TrainingLine: Sendable, Hashable {
    public let enrolment: Enrolment
    public let course: Course
    public let institutionName: String

    public init(enrolment: Enrolment, course: Course, institutionName: String) {
        self.enrolment = enrolment
        self.course = course
        self.institutionName = institutionName
    }

    /// Credits this enrolment deposited (only a completion deposits).
    public var creditedTenths: Int { enrolment.status == .completed ? course.creditTenths : 0 }
}
