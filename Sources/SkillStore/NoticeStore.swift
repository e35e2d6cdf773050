import SkillCore

/// Workers' inboxes.
public protocol NoticeStore {
    /// Adds a notice unless the worker already has one with the same key.
    /// - Returns: whether it was added.
    func add(_ notice: Notice, eventID: String) throws -> Bool
    /// A worker's notices, newest first, before `cursor` (an id), unread only when asked.
    func notices(person: String, unreadOnly: Bool, before cursor: String?, limit: Int) throws -> [Notice]
    /// Marks notices read (all unread ones when `ids` is nil); returns how many changed.
    func markRead(person: String, ids: [String]?, at time: String) throws -> Int
    func unreadCount(person: String) throws -> Int
    /// Drops every notice of a worker (erasure).
    func remove(person: String) throws
}

/// `NoticeStore` in SQL both stores run.
public struct SQLNotices: NoticeStore {
    let db: any SQLStatements

    public init(_ db: any SQLStatements) { self.db = db }

    public func add(_ n: Notice, eventID: String) throws -> Bool {
        // One statement: the unique (person_id, key) decides, whoever writes first.
        try !db.rows("notices", """
            INSERT INTO notices(id, person_id, kind, key, facts, created_at, read_at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (person_id, key) DO NOTHING RETURNING id
            """, [.text(n.id), .text(n.personID), .text(n.kind.rawValue), .text(n.key), .text(try JSONValue.object(n.facts).canonicalString()),
                  .text(n.createdAt), .optional(n.readAt), .text(eventID)]).isEmpty
    }

    public func notices(person: String, unreadOnly: Bool, before cursor: String?, limit: Int) throws -> [Notice] {
        var sql = "SELECT id, person_id, kind, key, facts, created_at, read_at FROM notices WHERE person_id = ?"
        var arguments: [StoreValue] = [.text(person)]
        if unreadOnly { sql += " AND read_at IS NULL" }
        if let cursor {
            sql += " AND id < ?"
            arguments.append(.text(cursor))
        }
        return try db.rows("notices", sql + " ORDER BY id DESC LIMIT \(max(0, limit))", arguments).map { r in
            guard case .object(let facts) = try r.json(4) else { throw SkillError(.storeFailure, "the store holds a damaged row", cause: "notices.facts") }
            return Notice(id: try r.text(0), personID: try r.text(1), kind: try r.choice(2, NoticeKind.self), key: try r.text(3), facts: facts,
                          createdAt: try r.text(5), readAt: try r.optionalText(6))
        }
    }

    public func markRead(person: String, ids: [String]?, at time: String) throws -> Int {
        var sql = "FROM notices WHERE person_id = ? AND read_at IS NULL"
        var arguments: [StoreValue] = [.text(person)]
        if let ids {
            guard !ids.isEmpty else { return 0 }
            sql += " AND id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))"
            arguments += ids.map(StoreValue.text)
        }
        let count = try db.rows("notices", "SELECT count(*) " + sql, arguments).first?.int(0) ?? 0
        try db.execute("UPDATE notices SET read_at = ? WHERE id IN (SELECT id " + sql + ")", [.text(time)] + arguments)
        return count
    }

    public func unreadCount(person: String) throws -> Int {
        try db.rows("notices", "SELECT count(*) FROM notices WHERE person_id = ? AND read_at IS NULL", [.text(person)]).first?.int(0) ?? 0
    }

    public func remove(person: String) throws {
        try db.execute("DELETE FROM notices WHERE person_id = ?", [.text(person)])
    }
}
