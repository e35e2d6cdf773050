import Foundation
import GRDB
import SkillCore

/// What a bulk import loads, and the CSV header each kind expects.
public enum ImportKind: String, Sendable, CaseIterable {
    case people, enrolments, completions
    /// Assessment results (`assessment import-results`), not a kind of `skillbank import`.
    case results

    /// The kinds `skillbank import` takes.
    public static let importable: [ImportKind] = [.people, .enrolments, .completions]

    /// The header columns, named after the CLI flags.
    public var columns: [String] {
        switch self {
        case .people: ["name", "id_type", "id_number"]
        case .enrolments: ["person", "course"]
        case .completions: ["enrolment", "outcome"]
        case .results: ["person", "theory", "practical"]
        }
    }

    /// Maps the `field` of a use case's error to the CSV column it came from.
    func column(for field: String?) -> String {
        let map = ["--name": "name", "--id-type": "id_type", "--id-number": "id_number", "person": "person", "course": "course",
                   "enrolment": "enrolment", "outcome": "outcome", "--person": "person", "--theory": "theory", "--practical": "practical"]
        if let field, let column = map[field], columns.contains(column) { return column }
        return columns[0]
    }
}

/// One bad row of an import.
public struct RowProblem: Sendable, CustomStringConvertible {
    public let line: Int
    public let column: String
    public let code: SkillError.Code
    public let message: String
    /// The row as read, for the reject file. Holds personal data for people imports:
    /// write it only to the reject file the operator asked for, never to a log.
    public let fields: [String: String]

    public var description: String { "line \(line), column \(column): \(message)" }
}

/// What an import did.
public struct ImportReport: Sendable {
    public let kind: ImportKind
    public let rows: Int
    public let imported: Int
    public let problems: [RowProblem]
    /// False when bad rows made the whole import roll back.
    public let committed: Bool

    public var json: JSONValue {
        [
            "kind": .string(kind.rawValue), "rows": .int(rows), "imported": .int(imported), "committed": .bool(committed),
            "rejected": .int(problems.count),
            "problems": .array(problems.prefix(1_000).map { p in
                ["line": .int(p.line), "column": .string(p.column), "code": .string(p.code.rawValue), "message": .string(p.message)]
            }),
        ]
    }
}

private struct Rollback: Error {}

extension Ledger {
    /// Imports a CSV file in one transaction.
    ///
    /// Rows are streamed (memory does not grow with the file) and each goes through the same
    /// use case as its single-record command. With bad rows and `skipBad` false nothing is
    /// written and the report lists every problem. With `skipBad` the good rows commit (each
    /// in its own savepoint, so a bad row leaves nothing behind) and the report lists the rejects.
    /// - Parameters:
    ///   - kind: what the file holds.
    ///   - url: an RFC 4180 CSV file with a header row.
    ///   - skipBad: import the good rows even when some are bad.
    ///   - progress: called with the number of rows read every 10,000 rows and at the end.
    /// - Returns: the report.
    /// - Throws: `input.file-unreadable`, `import.header-invalid`, `import.csv-malformed`,
    ///   `store.*` — problems with the file as a whole, not with a row.
    public func importCSV(
        _ kind: ImportKind, from url: URL, skipBad: Bool = false, actor: Actor = .operatorCLI, onlyFor institution: String? = nil,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws(SkillError) -> ImportReport {
        let rows = try CSVRows(url, columns: kind.columns)
        let date = now
        var problems: [RowProblem] = []
        var total = 0
        var imported = 0
        do {
            try database.write { db in
                var accounts = AccountCache()
                while let record = try rows.next() {
                    total += 1
                    let result = Result { () throws -> Void in
                        if let institution { try Ledger.requireOwned(db, record, kind, by: institution) }
                        let work = { try apply(kind, record, db, actor: actor, at: date, accounts: &accounts) }
                        if skipBad { try db.savepoint(work) } else { try work() }
                    }
                    switch result {
                    case .success: imported += 1
                    case .failure(let error):
                        let e = Ledger.map(error)
                        problems.append(RowProblem(
                            line: record.line, column: kind.column(for: e.field), code: e.code, message: e.message, fields: record.fields))
                    }
                    if total % 10_000 == 0 { progress?(total) }
                }
                progress?(total)
                if !problems.isEmpty && !skipBad { throw Rollback() }
            }
        } catch is Rollback {
            return ImportReport(kind: kind, rows: total, imported: 0, problems: problems, committed: false)
        } catch {
            throw Ledger.map(error)
        }
        return ImportReport(kind: kind, rows: total, imported: imported, problems: problems, committed: true)
    }

    /// Refuses a row about another institution's course or enrolment (imports over HTTP by an institution).
    static func requireOwned(_ db: Database, _ record: CSVRows.Record, _ kind: ImportKind, by institution: String) throws {
        let id: String
        switch kind {
        case .enrolments: id = record.fields["course"]!.trimmingSpaces
        case .completions: id = record.fields["enrolment"]!.trimmingSpaces
        case .people, .results: throw SkillError(.forbidden, "an institution cannot import \(kind.rawValue)")
        }
        guard try owningInstitution(db, id) == institution else {
            throw SkillError(.forbidden, "not a record of this institution", field: kind == .enrolments ? "course" : "enrolment")
        }
    }

    /// One row through the same use case the single-record commands call.
    private func apply(
        _ kind: ImportKind, _ record: CSVRows.Record, _ db: Database, actor: Actor, at date: Date, accounts: inout AccountCache
    ) throws {
        let f = record.fields
        switch kind {
        case .people:
            guard let type = IDType(rawValue: f["id_type"]!.trimmingSpaces.lowercased()) else {
                throw SkillError(.invalidField, "id_type must be one of \(IDType.allCases.map(\.rawValue).joined(separator: ", "))", field: "--id-type")
            }
            let person = try preparePerson(name: f["name"]!, idType: type, idNumber: f["id_number"]!, at: date)
            try Ledger.insertPerson(db, person, actor: actor, at: date)
        case .enrolments:
            _ = try Ledger.enrol(db, person: f["person"]!.trimmingSpaces, course: f["course"]!.trimmingSpaces, actor: actor, at: date)
        case .completions:
            guard let outcome = EnrolmentStatus(rawValue: f["outcome"]!.trimmingSpaces.lowercased()), outcome != .enrolled else {
                throw SkillError(.invalidField, "outcome must be completed, failed or withdrawn", field: "outcome")
            }
            _ = try Ledger.close(db, enrolment: f["enrolment"]!.trimmingSpaces, as: outcome, actor: actor, at: date, accounts: &accounts)
        case .results:
            throw SkillError(.usage, "results are imported with assessment import-results")
        }
    }
}
