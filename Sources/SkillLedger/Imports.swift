import Foundation
import SkillCore
import SkillStore

/// What a bulk import loads, and the CSV header each kind expects.
public enum ImportKind: String, Sendable, CaseIterable {
    case people, enrolments, completions
    /// Assessment results (`assessment import-results`), not a kind of `skillbank import`.
    case results
    /// Unemployment-insurance months from the social-insurance system (`insurance import`).
    case insurance

    /// The kinds `skillbank import` takes.
    public static let importable: [ImportKind] = [.people, .enrolments, .completions]

    /// The header columns: the same names as the fields of the single-record use cases.
    public var columns: [String] {
        switch self {
        case .people: ["name", "id_type", "id_number"]
        case .enrolments: ["person", "course"]
        case .completions: ["enrolment", "outcome"]
        case .results: ["person", "theory", "practical"]
        case .insurance: ["id_type", "id_number", "months", "as_of", "benefit"]
        }
    }

    /// The CSV column a use case's error `field` names; the first column when it names none of them.
    func column(for field: String?) -> String {
        if let field, columns.contains(field) { return field }
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
    /// What each imported row made, by line (a person, an enrolment, the enrolment completed, the
    /// certificates of a pass): empty when nothing was committed.
    public let created: [CreatedRecord]

    /// One record an imported row made.
    public struct CreatedRecord: Sendable, Hashable {
        public let line: Int
        public let id: String
    }

    public var json: JSONValue {
        [
            "kind": .string(kind.rawValue), "rows": .int(rows), "imported": .int(imported), "committed": .bool(committed),
            "rejected": .int(problems.count),
            "created": .array(created.map { ["line": .int($0.line), "id": .string($0.id)] }),
            "problems": .array(problems.prefix(1_000).map { p in
                ["line": .int(p.line), "column": .string(p.column), "code": .string(p.code.rawValue), "message": .string(p.message)]
            }),
        ]
    }
}

/// Streams a CSV file through one unit of work, one row at a time: each row goes through the
/// same use case as its single-record command. With bad rows and `skipBad` false nothing is
/// written and the report lists every problem; with `skipBad` each row runs nested (a bad row
/// leaves nothing behind) and the good rows commit.
struct RowImport {
    let kind: ImportKind
    let skipBad: Bool
    let progress: (@Sendable (Int) -> Void)?

    /// What one row came to: the ids it made, or the error that refused it (having written nothing).
    enum RowOutcome {
        case done([String])
        case refused(SkillError)
    }

    /// Runs `apply` on every row of `rows` inside `context`'s write, one row at a time; `apply`
    /// returns the id of what the row made.
    /// - Returns: the report.
    func run(
        _ rows: CSVRows, in context: BankContext, _ apply: (any StoreTransaction, CSVRows.Record) throws -> String
    ) throws(SkillError) -> ImportReport {
        try run(rows, in: context, batch: 1) { tx, records in
            do {
                let id = skipBad ? try tx.nested { try apply(tx, records[0]) } : try apply(tx, records[0])
                return [.done([id])]
            } catch let error as SkillError where error.refusesOnlyItsRow {
                return [.refused(error)]
            }
        }
    }

    /// Runs `apply` on the rows of `rows`, `batch` at a time, inside `context`'s write. `apply`
    /// returns, for each row, what it made or the error that refused it (a refused row has
    /// written nothing); what it throws fails the whole import.
    /// - Parameter finish: runs in the same unit of work after the last row, with the number
    ///   of rows imported (the import's own event).
    func run(
        _ rows: CSVRows, in context: BankContext, batch: Int, _ apply: (any StoreTransaction, [CSVRows.Record]) throws -> [RowOutcome],
        finish: ((any StoreTransaction, Int) throws -> Void)? = nil
    ) throws(SkillError) -> ImportReport {
        var problems: [RowProblem] = []
        var created: [ImportReport.CreatedRecord] = []
        var total = 0
        var imported = 0
        do {
            try context.write { tx in
                var records: [CSVRows.Record] = []
                func flush() throws {
                    guard !records.isEmpty else { return }
                    for (record, outcome) in zip(records, try apply(tx, records)) {
                        switch outcome {
                        case .refused(let error):
                            problems.append(RowProblem(line: record.line, column: kind.column(for: error.field), code: error.code, message: error.message,
                                                       fields: record.fields))
                        case .done(let ids):
                            imported += 1
                            created += ids.map { .init(line: record.line, id: $0) }
                        }
                    }
                    records.removeAll(keepingCapacity: true)
                }
                while let record = try rows.next() {
                    total += 1
                    records.append(record)
                    if records.count == batch { try flush() }
                    if total % 10_000 == 0 { progress?(total) }
                }
                try flush()
                progress?(total)
                // Rolls the whole unit of work back; caught below and reported with every problem.
                if !problems.isEmpty && !skipBad { throw SkillError(.importBadRows, "\(problems.count) bad row(s); nothing was imported") }
                try finish?(tx, imported)
            }
        } catch where error.code == .importBadRows && !problems.isEmpty {
            return ImportReport(kind: kind, rows: total, imported: 0, problems: problems, committed: false, created: [])
        }
        return ImportReport(kind: kind, rows: total, imported: imported, problems: problems, committed: true, created: created)
    }
}

extension SkillError {
    /// Whether the error refuses the row it arose in, rather than the whole import (a busy or
    /// failing store stops everything).
    var refusesOnlyItsRow: Bool { code.kind != .busy && code != .storeFailure }
}

/// Bulk CSV imports of people, enrolments and completions.
public struct Imports: Sendable {
    let context: BankContext

    /// Imports a CSV file in one unit of work (see `RowImport`).
    /// - Parameters:
    ///   - kind: what the file holds.
    ///   - url: an RFC 4180 CSV file with a header row.
    ///   - skipBad: import the good rows even when some are bad.
    ///   - institution: when an institution imports, every row must be about its own records.
    ///   - progress: called with the number of rows read every 10,000 rows and at the end.
    /// - Returns: the report.
    /// - Throws: `input.file-unreadable`, `import.header-invalid`, `import.csv-malformed`,
    ///   `store.*` — problems with the file as a whole, not with a row.
    public func importCSV(
        _ kind: ImportKind, from url: URL, skipBad: Bool = false, actor: Actor = .operatorCLI, onlyFor institution: String? = nil,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws(SkillError) -> ImportReport {
        guard ImportKind.importable.contains(kind) else { throw SkillError(.usage, "\(kind.rawValue) are imported with their own command") }
        let rows = try CSVRows(url, columns: kind.columns)
        let date = context.now
        let registration = Registration(context: context)
        let training = Training(context: context)
        var lookups = Lookups()
        return try RowImport(kind: kind, skipBad: skipBad, progress: progress).run(rows, in: context) { tx, record in
            let f = record.fields
            if let institution { try requireOwned(tx, f, kind, by: institution) }
            switch kind {
            case .people:
                guard let type = IDType(rawValue: f["id_type"]!.trimmingSpaces.lowercased()) else {
                    throw SkillError(.invalidField, "id_type must be one of \(IDType.allCases.map(\.rawValue).joined(separator: ", "))", field: "id_type")
                }
                let person = try registration.sealPerson(name: f["name"]!, idType: type, idNumber: f["id_number"]!, at: date)
                try registration.insertPerson(tx, person, actor: actor, at: date)
                return person.summary.id
            case .enrolments:
                return try training.enrol(tx, person: f["person"]!.trimmingSpaces, course: f["course"]!.trimmingSpaces, actor: actor, at: date, lookups: &lookups).id
            case .completions:
                guard let outcome = EnrolmentStatus(rawValue: f["outcome"]!.trimmingSpaces.lowercased()), outcome != .enrolled else {
                    throw SkillError(.invalidField, "outcome must be completed, failed or withdrawn", field: "outcome")
                }
                return try training.close(tx, enrolment: f["enrolment"]!.trimmingSpaces, as: outcome, actor: actor, at: date, lookups: &lookups).enrolment.id
            case .results, .insurance:
                throw SkillError(.usage, "\(kind.rawValue) are imported with their own command")
            }
        }
    }

    /// Refuses a row about another institution's course or enrolment (imports over HTTP by an institution).
    private func requireOwned(_ tx: any StoreTransaction, _ fields: [String: String], _ kind: ImportKind, by institution: String) throws {
        let owner: String?
        switch kind {
        case .enrolments: owner = try tx.training.course(fields["course"]!.trimmingSpaces)?.institutionID
        case .completions:
            owner = try tx.training.enrolment(fields["enrolment"]!.trimmingSpaces).flatMap { try tx.training.course($0.courseID)?.institutionID }
        case .people, .results, .insurance: throw SkillError(.forbidden, "an institution cannot import \(kind.rawValue)")
        }
        guard owner == institution else {
            throw SkillError(.forbidden, "not a record of this institution", field: kind == .enrolments ? "course" : "enrolment")
        }
    }
}
