import SkillCore

/// Institutions and their accreditation scopes.
public protocol InstitutionStore {
    /// Stores a new institution (its scopes and keys are added separately).
    func insert(_ institution: Institution, eventID: String) throws
    /// The institution with its scopes and key history, or nil.
    func institution(_ id: String) throws -> Institution?
    /// The id of the institution registered under a code (统一社会信用代码), or nil.
    func institutionID(code: String) throws -> String?
    /// Institutions in id order after `cursor` (all when nil), at most `limit` (all when nil).
    func institutions(after cursor: String?, limit: Int?) throws -> [Institution]
    /// Adds a scope to an institution.
    func insertAccreditation(_ accreditation: Accreditation, institution: String, eventID: String) throws
    /// Suspends or reinstates an institution.
    func setSuspended(_ id: String, _ suspended: Bool) throws
}

/// Ed25519 keys of the registry and of signing institutions: public half in clear, private
/// half only as passphrase-encrypted PKCS#8.
public protocol KeyStore {
    func insert(_ key: KeyRecord, encryptedPEM: String, eventID: String) throws
    /// Every key `owner` has had, oldest first.
    func keys(of owner: String) throws -> [KeyRecord]
    /// The owner's current key and its encrypted private half, or nil when it has none.
    func currentKey(of owner: String) throws -> (record: KeyRecord, encryptedPEM: String)?
    /// Closes the validity of the owner's current key(s) at `time`.
    func retireKeys(of owner: String, at time: String) throws
}
