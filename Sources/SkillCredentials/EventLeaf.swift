import SkillCore
import SkillCrypto

/// How a ledger event becomes a leaf of the transparency log.
///
/// - Version 1 (banks before commitments): the leaf's data is the event's canonical bytes.
/// - Version 2: the leaf's data is `0x02 ‖ SHA-256(salt ‖ canonical)` with a 128-bit random salt
///   per event. A JSON event starts with `{`, so the first byte tells the versions apart. The
///   commitment reveals nothing of the event, and two events of one person share nothing a
///   reader can compare; whoever holds an event and its salt can show that it is the leaf.
public enum EventLeaf {
    /// The first byte of a version-2 leaf.
    public static let commitmentVersion: UInt8 = 0x02
    /// Salt length in bytes.
    public static let saltLength = 16

    /// SHA-256(salt ‖ canonical).
    public static func commitment(canonical: [UInt8], salt: [UInt8]) -> [UInt8] { SHA256.hash(salt + canonical) }

    /// The leaf data of a version-2 event from its commitment.
    public static func data(commitment: [UInt8]) -> [UInt8] { [commitmentVersion] + commitment }

    /// The leaf data of an event: version 2 when it has a salt, version 1 otherwise.
    public static func data(canonical: [UInt8], salt: [UInt8]?) -> [UInt8] {
        guard let salt else { return canonical }
        return data(commitment: commitment(canonical: canonical, salt: salt))
    }
}
