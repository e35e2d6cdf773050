import Foundation
import GRDB
import SkillCore

extension Ledger {
    /// The institution a course, enrolment, assessment or certificate belongs to, or nil when
    /// the id names nothing. The HTTP edge uses it so an institution acts only on its own records.
    public func owningInstitution(of id: String) throws(SkillError) -> String? {
        try read { db in try Ledger.owningInstitution(db, id) }
    }

    static func owningInstitution(_ db: Database, _ id: String) throws -> String? {
        let sql: String
        switch id.prefix(4) {
        case "crs_": sql = "SELECT institution_id FROM courses WHERE id = ?"
        case "enr_": sql = "SELECT c.institution_id FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.id = ?"
        case "asm_": sql = "SELECT institution_id FROM assessments WHERE id = ?"
        case "crt_": sql = "SELECT institution_id FROM certificates WHERE id = ?"
        default: sql = "SELECT institution_id FROM certificates WHERE number = ?"
        }
        return try String.fetchOne(db, sql: sql, arguments: [id])
    }

    /// Institutions in id order after `cursor`, at most `limit`.
    public func institutions(after cursor: String?, limit: Int) throws(SkillError) -> [Institution] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT id FROM institutions WHERE id > ? ORDER BY id LIMIT ?", arguments: [cursor ?? "", limit])
                .map { try Ledger.requireInstitution(db, $0) }
        }
    }

    /// Courses in id order after `cursor`, optionally of one institution, at most `limit`.
    public func courses(institutionID: String?, after cursor: String?, limit: Int) throws(SkillError) -> [Course] {
        try read { db in
            let sql = """
                SELECT c.*, (SELECT count(*) FROM enrolments e WHERE e.course_id = c.id AND e.status <> 'withdrawn') AS enrolled
                FROM courses c WHERE c.id > ? \(institutionID == nil ? "" : "AND c.institution_id = ?") ORDER BY c.id LIMIT ?
                """
            let args: StatementArguments = institutionID.map { [cursor ?? "", $0, limit] } ?? [cursor ?? "", limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map(Course.init(row:))
        }
    }
}
