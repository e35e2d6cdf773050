/// Who a bearer token speaks for.
public enum Role: String, Sendable, CaseIterable {
    case `operator`, institution, worker
}

/// A token's record (never the token itself).
public struct TokenRecord: Sendable, Hashable {
    public let id: String
    public let role: Role
    public let institutionID: String?
    public let personID: String?
    public let createdAt: String
    public let expiresAt: String?
    public let revokedAt: String?

    public init(id: String, role: Role, institutionID: String?, personID: String?, createdAt: String, expiresAt: String?, revokedAt: String?) {
        self.id = id
        self.role = role
        self.institutionID = institutionID
        self.personID = personID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public var json: JSONValue {
        [
            "id": .string(id), "role": .string(role.rawValue), "institution": .optional(institutionID), "person": .optional(personID),
            "created_at": .string(createdAt), "expires_at": .optional(expiresAt), "revoked_at": .optional(revokedAt),
        ]
    }

    /// Whether the token may be used at `time` (an RFC 3339 UTC timestamp): not revoked, not expired.
    public func isUsable(at time: String) -> Bool {
        guard revokedAt == nil else { return false }
        if let expiresAt, expiresAt < time { return false }
        return true
    }
}

/// A response kept for a POST that carried an Idempotency-Key.
public struct IdempotentResponse: Sendable, Hashable {
    /// What the key was first used for (method, path and body digest).
    public let request: String
    public let status: Int
    public let body: [UInt8]

    public init(request: String, status: Int, body: [UInt8]) {
        self.request = request
        self.status = status
        self.body = body
    }
}
