import Foundation
import PostgresNIO
import SkillCore
import SkillStore

extension StoreValue: SQLArgument {
    func bind(into bindings: inout PostgresBindings) throws {
        switch self {
        case .null: bindings.appendNull()
        case .int(let n): try n.bind(into: &bindings)
        case .text(let s): try s.bind(into: &bindings)
        case .bytes(let b): try b.bind(into: &bindings)
        }
    }
}

struct PostgresTables: TableStore {
    let db: PostgresSession

    func count(_ table: StoreTable) throws -> Int { try db.int("SELECT count(*) FROM \(table.name)") ?? 0 }

    func forEachBatch(of table: StoreTable, batch: Int, _ body: ([[StoreValue]]) throws -> Void) throws {
        // A server-side cursor inside the caller's snapshot: a table of any size, a batch in memory.
        try db.run("DECLARE table_copy NO SCROLL CURSOR FOR SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.orderBy)")
        while true {
            let rows = try db.rows("FETCH FORWARD \(batch) FROM table_copy").map { r in try (0..<table.columns.count).map { try r.value($0) } }
            if rows.isEmpty { break }
            try body(rows)
        }
        try db.run("CLOSE table_copy")
    }

    func insert(_ rows: [[StoreValue]], into table: StoreTable) throws {
        try db.insert(into: table.name, table.columns, rows)
    }

    func finishCopy() throws {
        try db.run("INSERT INTO person_index(id_index, person_id) SELECT id_index, id FROM people")
        try db.run("INSERT INTO certificate_keys(key, person_id) SELECT id, person_id FROM certificates UNION ALL SELECT number, person_id FROM certificates")
        try db.run("SELECT setval(pg_get_serial_sequence('accounts', 'id'), coalesce(max(id), 0) + 1, false) FROM accounts")
        // Statistics for the planner, committed with the rows: until autovacuum's analyze came
        // round, a freshly copied bank of a million postings planned `record` as scans (129 ms
        // instead of under 2).
        try db.run("ANALYZE")
    }
}
