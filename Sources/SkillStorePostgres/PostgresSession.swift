import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SkillCore
import SkillStore

/// A value bound to a statement's `$n` placeholder.
protocol SQLArgument: Sendable {
    func bind(into bindings: inout PostgresBindings) throws
}

extension String: SQLArgument {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Int: SQLArgument {
    func bind(into bindings: inout PostgresBindings) { bindings.append(self) }
}

extension Bool: SQLArgument {
    // Flags are BIGINT 0/1, as in the SQLite file, so one row copier serves both stores.
    func bind(into bindings: inout PostgresBindings) { bindings.append(self ? 1 : 0) }
}

extension Array: SQLArgument where Element == UInt8 {
    func bind(into bindings: inout PostgresBindings) { bindings.append(ByteBuffer(bytes: self)) }
}

/// A list bound as one array parameter (`= ANY($n)`).
struct SQLArray<Element: PostgresArrayEncodable & Sendable>: SQLArgument {
    let values: [Element]
    init(_ values: [Element]) { self.values = values }
    func bind(into bindings: inout PostgresBindings) throws { try bindings.append(values) }
}

extension Optional: SQLArgument where Wrapped: SQLArgument {
    func bind(into bindings: inout PostgresBindings) throws {
        switch self {
        case .some(let value): try value.bind(into: &bindings)
        case .none: bindings.appendNull()
        }
    }
}

/// One row of a result, read by column position. A value of the wrong type is a damaged row,
/// named by its column.
struct SQLRow {
    let row: PostgresRandomAccessRow
    var count: Int { row.count }

    func string(_ i: Int) throws -> String { try decode(i, String.self) }
    func optionalString(_ i: Int) throws -> String? { try decode(i, String?.self) }
    func int(_ i: Int) throws -> Int { try decode(i, Int.self) }
    func optionalInt(_ i: Int) throws -> Int? { try decode(i, Int?.self) }
    func bool(_ i: Int) throws -> Bool { try int(i) != 0 }
    func bytes(_ i: Int) throws -> [UInt8] {
        guard let buffer = try decode(i, ByteBuffer?.self) else {
            throw SkillError(.storeFailure, "the store holds a damaged row", cause: "\(row[i].columnName) is null")
        }
        return Array(buffer.readableBytesView)
    }
    func optionalBytes(_ i: Int) throws -> [UInt8]? { try decode(i, ByteBuffer?.self).map { Array($0.readableBytesView) } }

    /// The cell as a store-neutral value (the row copier's view).
    func value(_ i: Int) throws -> StoreValue {
        let cell = row[i]
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try int(i))
        case .bytea: return .bytes(try bytes(i))
        default: return .text(try string(i))
        }
    }

    private func decode<T: PostgresDecodable>(_ i: Int, _ type: T.Type) throws -> T {
        do { return try row[i].decode(T.self) } catch {
            throw SkillError(.storeFailure, "the store holds a damaged row", cause: "\(row[i].columnName) does not read as \(T.self)")
        }
    }
}

/// One connection, driven synchronously: store bodies are synchronous and never run on an event
/// loop, so each statement waits for its result on the calling thread.
final class PostgresSession: @unchecked Sendable {
    let connection: PostgresConnection
    private let logger: Logger
    /// Savepoints opened by nested units of work in this transaction.
    var savepoints = 0

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    var isClosed: Bool { connection.isClosed }

    private func query(_ sql: String, _ arguments: [any SQLArgument]) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { try argument.bind(into: &bindings) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ arguments: [any SQLArgument] = []) throws {
        _ = try connection.query(try query(sql, arguments), logger: logger).wait()
    }

    /// Every row a statement returns.
    func rows(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> [SQLRow] {
        try connection.query(try query(sql, arguments), logger: logger).wait().map { SQLRow(row: $0.makeRandomAccess()) }
    }

    /// Inserts many rows with as few statements as PostgreSQL's 65,535 parameters allow:
    /// `INSERT INTO table(columns) VALUES (…), (…)…` followed by `suffix`.
    func insert(into table: String, _ columns: [String], _ rows: [[any SQLArgument]], suffix: String = "") throws {
        let width = columns.count
        let perStatement = max(1, 60_000 / width)
        var start = rows.startIndex
        while start < rows.endIndex {
            let chunk = rows[start..<min(start + perStatement, rows.endIndex)]
            let tuples = (0..<chunk.count).map { r in "(" + (1...width).map { "$\(r * width + $0)" }.joined(separator: ", ") + ")" }
            try run("INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))\(suffix)", chunk.flatMap { $0 })
            start += chunk.count
        }
    }

    /// The first row, or nil.
    func row(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row, or nil.
    func string(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> String? { try row(sql, arguments)?.optionalString(0) }
    func int(_ sql: String, _ arguments: [any SQLArgument] = []) throws -> Int? { try row(sql, arguments)?.optionalInt(0) }

    func close() { try? connection.close().wait() }
}

extension PostgresSession: SQLStatements {
    /// `?` placeholders as PostgreSQL's `$1, $2, …` (outside quoted literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        var n = 0
        var quoted = false
        for ch in sql {
            if ch == "'" { quoted.toggle() }
            if ch == "?", !quoted {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    func execute(_ sql: String, _ arguments: [StoreValue]) throws { try run(Self.numbered(sql), arguments) }

    func query(_ sql: String, _ arguments: [StoreValue]) throws -> [[StoreValue]] {
        try rows(Self.numbered(sql), arguments).map { row in try (0..<row.count).map { try row.value($0) } }
    }
}
