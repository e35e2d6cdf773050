import SkillCore

// What every store does with a column read back: a value the ledger never writes is a damaged
// row, named by its column and row, never a crash or a silently wrong answer.

/// A date column that must hold `YYYY-MM-DD`; anything else is a damaged row, named.
/// - Throws: `store.failure`.
public func requiredDate(_ text: String, _ column: String, row: String) throws -> CalendarDate {
    guard let date = CalendarDate(iso: text) else {
        throw SkillError(.storeFailure, "the store holds a damaged row", cause: "\(column) of \(row) is not a date")
    }
    return date
}

/// A stored code that must be one of an enumeration's values; anything else is a damaged row.
/// - Throws: `store.failure`.
public func requiredCase<T: RawRepresentable>(_ raw: T.RawValue, _ column: String, row: String) throws -> T {
    guard let value = T(rawValue: raw) else {
        throw SkillError(.storeFailure, "the store holds a damaged row", cause: "\(column) of \(row) holds an unknown value")
    }
    return value
}
