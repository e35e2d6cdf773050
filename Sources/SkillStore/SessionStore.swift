import SkillCore

/// One-time sign-in links and the sessions of workers' pages (only SHA-256s of their secrets are kept).
public protocol SessionStore {
    func insertLink(sha256: String, person: String, createdAt: String, expiresAt: String, eventID: String) throws
    /// The link with this hash: its person, expiry and when it was used.
    func link(sha256: String) throws -> (person: String, expiresAt: String, usedAt: String?)?
    /// Marks a link used; false when it was used already (a second redemption racing the first).
    func useLink(sha256: String, at time: String) throws -> Bool
    func insertSession(sha256: String, person: String, csrf: String, createdAt: String, expiresAt: String, eventID: String) throws
    /// The session with this hash: its person, CSRF token, expiry and revocation.
    func session(sha256: String) throws -> (person: String, csrf: String, expiresAt: String, revokedAt: String?)?
    func revokeSession(sha256: String, at time: String) throws
    /// Revokes every session of a worker (erasure, or signing out everywhere).
    func revokeSessions(person: String, at time: String) throws
}

/// `SessionStore` in SQL both stores run.
public struct SQLSessions: SessionStore {
    let db: any SQLStatements

    public init(_ db: any SQLStatements) { self.db = db }

    public func insertLink(sha256: String, person: String, createdAt: String, expiresAt: String, eventID: String) throws {
        try db.execute("INSERT INTO signin_links(sha256, person_id, created_at, expires_at, used_at, event_id) VALUES (?, ?, ?, ?, NULL, ?)",
                       [.text(sha256), .text(person), .text(createdAt), .text(expiresAt), .text(eventID)])
    }

    public func link(sha256: String) throws -> (person: String, expiresAt: String, usedAt: String?)? {
        try db.rows("signin_links", "SELECT person_id, expires_at, used_at FROM signin_links WHERE sha256 = ?", [.text(sha256)]).first.map {
            (try $0.text(0), try $0.text(1), try $0.optionalText(2))
        }
    }

    public func useLink(sha256: String, at time: String) throws -> Bool {
        !(try db.rows("signin_links", "UPDATE signin_links SET used_at = ? WHERE sha256 = ? AND used_at IS NULL RETURNING sha256",
                      [.text(time), .text(sha256)])).isEmpty
    }

    public func insertSession(sha256: String, person: String, csrf: String, createdAt: String, expiresAt: String, eventID: String) throws {
        try db.execute("INSERT INTO sessions(sha256, person_id, csrf, created_at, expires_at, revoked_at, event_id) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                       [.text(sha256), .text(person), .text(csrf), .text(createdAt), .text(expiresAt), .text(eventID)])
    }

    public func session(sha256: String) throws -> (person: String, csrf: String, expiresAt: String, revokedAt: String?)? {
        try db.rows("sessions", "SELECT person_id, csrf, expires_at, revoked_at FROM sessions WHERE sha256 = ?", [.text(sha256)]).first.map {
            (try $0.text(0), try $0.text(1), try $0.text(2), try $0.optionalText(3))
        }
    }

    public func revokeSession(sha256: String, at time: String) throws {
        try db.execute("UPDATE sessions SET revoked_at = ? WHERE sha256 = ? AND revoked_at IS NULL", [.text(time), .text(sha256)])
    }

    public func revokeSessions(person: String, at time: String) throws {
        try db.execute("UPDATE sessions SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL", [.text(time), .text(person)])
    }
}
