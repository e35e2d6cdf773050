/// The rules of enrolling in a course and of closing an enrolment, as pure functions of the
/// values a use case loads. They decide; the use case persists what they return.
public enum EnrolmentPolicy {
    /// Decides whether a worker may enrol in `course` on `date`.
    /// - Parameters:
    ///   - course: the course.
    ///   - institutionIsActive: whether the teaching institution is not suspended.
    ///   - existingEnrolment: the worker's enrolment in this course, if any.
    ///   - placesTaken: enrolments of the course that hold a place; consulted only when the
    ///     course has a capacity.
    ///   - date: the day of the enrolment.
    /// - Throws: `ledger.institution-suspended`, `ledger.course-closed` (the course has ended),
    ///   `ledger.enrolment-exists`, `ledger.course-full` — in that order.
    public static func admit(
        to course: Course, institutionIsActive: Bool, existingEnrolment: String?, placesTaken: Int, on date: CalendarDate
    ) throws(SkillError) {
        guard institutionIsActive else {
            throw SkillError(.institutionSuspended, "institution \(course.institutionID) is suspended and cannot enrol")
        }
        if let ends = course.endsOn, ends < date {
            throw SkillError(.courseClosed, "course \(course.id) ended on \(ends)")
        }
        if let existingEnrolment {
            throw SkillError(.enrolmentExists, "this person is already enrolled in this course as \(existingEnrolment)")
        }
        if let capacity = course.capacity, placesTaken >= capacity {
            throw SkillError(.courseFull, "course \(course.id) is full (\(capacity) places)")
        }
    }

    /// What closing an enrolment does: its new status, and for a completion with credit the
    /// posting that deposits the course's credits into the worker's training account.
    public struct Closure: Sendable, Hashable {
        public let status: EnrolmentStatus
        public let posting: CreditPosting?

        /// The event's `change`: the new status and the posting, when there is one.
        public var change: JSONValue {
            var change: [String: JSONValue] = ["status": .string(status.rawValue)]
            if let posting { change["posting"] = posting.json }
            return .object(change)
        }
    }

    /// Decides what closing `enrolment` as `outcome` does.
    /// - Parameters:
    ///   - enrolment: the enrolment as stored.
    ///   - outcome: completed, failed or withdrawn.
    ///   - course: its course.
    ///   - institutionIsActive: whether the teaching institution is not suspended (a
    ///     suspended one may still let a worker withdraw, but records no result).
    ///   - postingID: the id the deposit gets, if there is one.
    /// - Throws: `ledger.transition-invalid` (not enrolled any more, or `outcome` is enrolled),
    ///   `ledger.institution-suspended`.
    public static func close(
        _ enrolment: Enrolment, as outcome: EnrolmentStatus, course: Course, institutionIsActive: Bool, postingID: String, today: CalendarDate
    ) throws(SkillError) -> Closure {
        guard outcome != .enrolled else {
            throw SkillError(.transitionInvalid, "an enrolment can only move to completed, failed or withdrawn", field: "outcome")
        }
        guard enrolment.status.canMove(to: outcome) else {
            throw SkillError(.transitionInvalid, "enrolment \(enrolment.id) is \(enrolment.status.rawValue); only an enrolled one can become \(outcome.rawValue)")
        }
        if outcome != .withdrawn, !institutionIsActive {
            throw SkillError(.institutionSuspended, "institution \(course.institutionID) is suspended and cannot record results")
        }
        // A result is earned on the course: none before it starts (a withdrawal may come any time).
        if outcome != .withdrawn, today < course.startsOn {
            throw SkillError(.courseNotStarted, "course \(course.id) starts on \(course.startsOn); a \(outcome.rawValue) result can be recorded from that day")
        }
        guard outcome == .completed, course.creditTenths > 0 else { return Closure(status: outcome, posting: nil) }
        let posting = CreditPosting(
            id: postingID,
            from: .issued(institution: course.institutionID, occupation: course.occupation, level: course.level),
            to: .training(person: enrolment.personID, occupation: course.occupation, level: course.level),
            tenths: course.creditTenths, reference: enrolment.id)
        return Closure(status: outcome, posting: posting)
    }
}
