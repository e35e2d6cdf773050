import SkillCore

/// Bearer tokens (only their SHA-256 is kept) and the responses kept for idempotent retries.
public protocol TokenStore {
    func insert(_ token: TokenRecord, sha256: String, eventID: String) throws
    /// The token whose secret hashes to `sha256`, with the stored hash, or nil.
    func token(sha256: String) throws -> (record: TokenRecord, storedHash: String)?
    func token(id: String) throws -> TokenRecord?
    /// Every token, in id order.
    func tokens() throws -> [TokenRecord]
    func revoke(_ id: String, at time: String) throws
    /// Revokes every live token of a person.
    func revokeAll(person: String, at time: String) throws

    /// The response kept for a token's Idempotency-Key, or nil.
    func idempotentResponse(token: String, key: String) throws -> IdempotentResponse?
    /// Keeps a response unless one is already kept for the key (a racing retry keeps the first).
    func keepIdempotentResponse(_ response: IdempotentResponse, token: String, key: String, at time: String) throws
}
