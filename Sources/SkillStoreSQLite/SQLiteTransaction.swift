import Foundation
import GRDB
import SkillCore
import SkillStore

/// One unit of work on a GRDB connection: each aggregate's store is a thin view of it.
final class SQLiteTransaction: StoreTransaction {
    let db: Database
    /// Account row ids looked up in this unit of work, so bulk postings do not query twice;
    /// forgotten when a nested unit rolls back (it may have made the accounts it names).
    var accountIDs: [AccountKey: Int64] = [:]

    init(_ db: Database) { self.db = db }

    var meta: any MetaStore { SQLiteMeta(db: db) }
    var institutions: any InstitutionStore { SQLiteInstitutions(db: db) }
    var keys: any KeyStore { SQLiteKeys(db: db) }
    var people: any PersonStore { SQLitePeople(db: db) }
    var training: any TrainingStore { SQLiteTraining(db: db) }
    var credits: any CreditStore { SQLiteCredits(transaction: self) }
    var assessments: any AssessmentStore { SQLiteAssessments(db: db) }
    var certificates: any CertificateStore { SQLiteCertificates(db: db) }
    var statusLists: any StatusListStore { SQLiteStatusLists(db: db) }
    var conversions: any ConversionStore { SQLiteConversions(db: db) }
    var tokens: any TokenStore { SQLiteTokens(db: db) }
    var log: any EventLogStore { SQLiteEventLog(db: db) }
    var tables: any TableStore { SQLiteTables(db: db) }
    var statements: any SQLStatements { SQLiteStatements(db: db) }

    func nested<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        do {
            try db.inSavepoint {
                result = try body()
                return .commit
            }
        } catch {
            accountIDs.removeAll()
            throw error
        }
        return result!
    }
}

extension Database {
    /// Runs a cached statement with `arguments`.
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension FetchableRecord {
    /// The record a cached statement finds. Point look-ups run on every row of a bulk import,
    /// so they reuse their prepared statement instead of building SQL each time.
    static func fetchOne(_ db: Database, cached sql: String, _ arguments: StatementArguments) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// Every record a cached statement finds.
    static func fetchAll(_ db: Database, cached sql: String, _ arguments: StatementArguments) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension Row {
    /// A blob column as bytes.
    func bytes(_ column: String) -> [UInt8] { Array(self[column] as Data) }
}

/// A date column written as `YYYY-MM-DD`.
func calendarDate(_ text: String?) -> CalendarDate? { text.flatMap(CalendarDate.init(iso:)) }

/// `SQLStatements` on a GRDB connection, with cached prepared statements.
struct SQLiteStatements: SQLStatements {
    let db: Database

    private static func arguments(_ values: [StoreValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .int(let n): Int64(n)
            case .text(let s): s
            case .bytes(let b): Data(b)
            }
        })
    }

    func execute(_ sql: String, _ arguments: [StoreValue]) throws {
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }

    func query(_ sql: String, _ arguments: [StoreValue]) throws -> [[StoreValue]] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: Self.arguments(arguments)).map { row in
            try (0..<row.count).map { i in try SQLiteTables.value(row[i] as DatabaseValue, column: "column \(i)", table: "query") }
        }
    }
}
