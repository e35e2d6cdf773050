import SkillCore

/// Workers, kept only as blind indexes, ciphertext and masked forms.
public protocol PersonStore {
    func insert(_ person: SealedPerson, eventID: String) throws
    /// The masked person, or nil.
    func person(_ id: String) throws -> PersonSummary?
    /// The people with their indexes and ciphertext, by id (unknown ids absent).
    func sealedPeople(_ ids: [String]) throws -> [String: SealedPerson]
    /// The id of the person whose identity document has this blind index, or nil.
    func personID(idIndex: [UInt8]) throws -> String?
    /// Destroys a person's personal data: the ciphertext goes, the masked forms become
    /// `erasedMask`, and the blind indexes are replaced by `unlinkable` random values (they stay
    /// unique and match no name or number).
    func erase(_ id: String, unlinkable: (idIndex: [UInt8], nameIndex: [UInt8]), erasedMask: String, at time: String) throws
}

extension PersonStore {
    /// The person with their indexes and ciphertext, or nil.
    public func sealedPerson(_ id: String) throws -> SealedPerson? { try sealedPeople([id])[id] }
}
