import SkillCore

/// Plain SQL over either store, for aggregates whose queries are the same on SQLite and
/// PostgreSQL (the platform services: subsidies, notices, webhooks, the talent pool). Their
/// store code is written once against this (`SQLSubsidies`, …) and each store supplies the
/// statements: it is still behind one protocol per aggregate and still proven by the one
/// contract suite on both databases.
///
/// Statements use `?` placeholders (a store that numbers its parameters rewrites them) and the
/// SQL both databases accept: `ON CONFLICT … DO UPDATE`, `LIMIT`, no vendor functions.
public protocol SQLStatements {
    /// Runs a statement that returns no rows.
    func execute(_ sql: String, _ arguments: [StoreValue]) throws
    /// Every row a statement returns, each as its columns' values in order.
    func query(_ sql: String, _ arguments: [StoreValue]) throws -> [[StoreValue]]
}

extension StoreValue {
    /// A text value, or null when nil.
    public static func optional(_ text: String?) -> StoreValue { text.map(StoreValue.text) ?? .null }
}

/// Reads a row of store values by position, failing with `store.failure` ("a damaged row")
/// when a column does not hold the type its reader expects.
public struct StoreRow {
    public let values: [StoreValue]
    let table: String

    public init(_ values: [StoreValue], table: String) {
        self.values = values
        self.table = table
    }

    private func damaged(_ i: Int, _ expected: String) -> SkillError {
        SkillError(.storeFailure, "the store holds a damaged row", cause: "\(table) column \(i) is not \(expected)")
    }

    public func text(_ i: Int) throws -> String {
        guard case .text(let s) = values[i] else { throw damaged(i, "text") }
        return s
    }

    public func optionalText(_ i: Int) throws -> String? {
        if case .null = values[i] { return nil }
        return try text(i)
    }

    public func int(_ i: Int) throws -> Int {
        guard case .int(let n) = values[i] else { throw damaged(i, "an integer") }
        return n
    }

    public func optionalInt(_ i: Int) throws -> Int? {
        if case .null = values[i] { return nil }
        return try int(i)
    }

    public func bytes(_ i: Int) throws -> [UInt8] {
        guard case .bytes(let b) = values[i] else { throw damaged(i, "bytes") }
        return b
    }

    /// A value of a string enum, or a damaged-row failure naming the unknown case.
    public func choice<T: RawRepresentable>(_ i: Int, _ type: T.Type) throws -> T where T.RawValue == String {
        let raw = try text(i)
        guard let value = T(rawValue: raw) else { throw damaged(i, "a known \(T.self) (found '\(raw.prefix(40))')") }
        return value
    }

    /// A JSON column, parsed.
    public func json(_ i: Int) throws -> JSONValue {
        do { return try JSONParser().parse(Array(try text(i).utf8)) } catch { throw damaged(i, "JSON") }
    }
}

extension SQLStatements {
    /// Rows read through `StoreRow`, for messages naming `table`.
    public func rows(_ table: String, _ sql: String, _ arguments: [StoreValue] = []) throws -> [StoreRow] {
        try query(sql, arguments).map { StoreRow($0, table: table) }
    }

    public func execute(_ sql: String) throws { try execute(sql, []) }
}
