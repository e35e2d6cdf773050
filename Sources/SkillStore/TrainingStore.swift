import SkillCore

/// Courses and the enrolments in them.
public protocol TrainingStore {
    func insertCourse(_ course: Course, eventID: String) throws
    /// The course with the places taken in it, or nil.
    func course(_ id: String) throws -> Course?
    /// Courses in id order after `cursor`, optionally of one institution, at most `limit`.
    func courses(institution: String?, after cursor: String?, limit: Int?) throws -> [Course]
    /// Enrolments of the course that hold a place (not withdrawn).
    func placesTaken(course: String) throws -> Int

    func insertEnrolment(_ enrolment: Enrolment, eventID: String) throws
    func enrolment(_ id: String) throws -> Enrolment?
    /// Enrolments in `institution`'s courses (or every course), optionally of one course and
    /// one status, in id order after `cursor`.
    func enrolments(institution: String?, course: String?, status: EnrolmentStatus?, after cursor: String?, limit: Int) throws -> [Enrolment]
    /// The worker's enrolment in a course, or nil.
    func enrolmentID(person: String, course: String) throws -> String?
    /// Closes an enrolment.
    func closeEnrolment(_ id: String, as status: EnrolmentStatus, at time: String) throws
    /// The worker's enrolments with their courses, oldest first.
    func trainingHistory(person: String) throws -> [TrainingLine]
}
