import Foundation
import GRDB
import SkillCore
import SkillStore

struct SQLiteTables: TableStore {
    let db: Database

    func count(_ table: StoreTable) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
    }

    func forEachBatch(of table: StoreTable, batch: Int, _ body: ([[StoreValue]]) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.orderBy)")
        var rows: [[StoreValue]] = []
        rows.reserveCapacity(batch)
        while let row = try cursor.next() {
            rows.append(try (0..<row.count).map { i in try Self.value(row[i] as DatabaseValue, column: table.columns[i], table: table.name) })
            if rows.count == batch {
                try body(rows)
                rows.removeAll(keepingCapacity: true)
            }
        }
        if !rows.isEmpty { try body(rows) }
    }

    static func value(_ value: DatabaseValue, column: String, table: String) throws -> StoreValue {
        switch value.storage {
        case .null: return .null
        case .int64(let n): return .int(Int(n))
        case .string(let s): return .text(s)
        case .blob(let data): return .bytes(Array(data))
        case .double:
            throw SkillError(.storeFailure, "the store holds a damaged row", cause: "\(table).\(column) holds a real number")
        }
    }

    func insert(_ rows: [[StoreValue]], into table: StoreTable) throws {
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: "INSERT INTO \(table.name)(\(table.columns.joined(separator: ", "))) VALUES (\(placeholders))")
        for row in rows {
            try statement.execute(arguments: StatementArguments(row.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .null: nil
                case .int(let n): Int64(n)
                case .text(let s): s
                case .bytes(let b): Data(b)
                }
            }))
        }
    }

    func finishCopy() throws {
        // Nothing is derived: AUTOINCREMENT and INTEGER PRIMARY KEY continue after the largest copied key.
    }
}
