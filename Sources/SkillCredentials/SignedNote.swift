import Foundation
import SkillCore
import SkillCrypto

/// C2SP signed-note: text ending in a newline, a blank line, then signature lines
/// `— <name> base64(key ID ‖ signature)`. Ed25519 key IDs are SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4].
public enum SignedNote {
    static let dash = "\u{2014} "

    /// An Ed25519 note verifier key (`name+hexid+base64(0x01 ‖ key)`).
    public struct VerifierKey: Sendable, Hashable {
        public let name: String
        public let keyID: [UInt8]
        public let publicKey: [UInt8]

        /// Makes the key for `name` and a raw Ed25519 public key.
        public init(name: String, publicKey: [UInt8]) {
            self.name = name
            self.publicKey = publicKey
            keyID = SignedNote.keyID(name: name, publicKey: publicKey)
        }

        /// Parses a vkey string, checking that its key ID matches its name and key.
        /// - Throws: `json.malformed` naming what is wrong.
        public init(_ text: String) throws(SkillError) {
            let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, SignedNote.isValidName(String(parts[0])), parts[1].count == 8, let id = Hex.decode(String(parts[1])),
                let key = Data(base64Encoded: String(parts[2])).map(Array.init), key.count == 33, key[0] == 0x01
            else { throw SkillError(.jsonMalformed, "not an Ed25519 note verifier key (name+hexid+base64)") }
            self.init(name: String(parts[0]), publicKey: Array(key.dropFirst()))
            guard keyID == id else { throw SkillError(.jsonMalformed, "the verifier key's ID does not match its name and key") }
        }

        /// The vkey string.
        public var text: String { "\(name)+\(Hex.encode(keyID))+\(Data([0x01] + publicKey).base64EncodedString())" }
    }

    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + publicKey).prefix(4))
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "+" && $0.value != 0x7F }
    }

    /// Signs `text` (which must end in a newline) as `name` with an Ed25519 key.
    /// - Throws: `json.malformed` for text that is not a valid note body; `crypto.failure`.
    public static func sign(_ text: String, name: String, key: Ed25519PrivateKey) throws(SkillError) -> String {
        guard isValidText(text), isValidName(name) else { throw SkillError(.jsonMalformed, "a note's text must be UTF-8 ending in a newline, without control characters") }
        let signature = try key.signature(for: Array(text.utf8))
        let id = keyID(name: name, publicKey: key.publicKey.rawRepresentation)
        return text + "\n" + dash + name + " " + Data(id + signature).base64EncodedString() + "\n"
    }

    static func isValidText(_ text: String) -> Bool {
        text.hasSuffix("\n") && text.unicodeScalars.allSatisfy { $0 == "\n" || ($0.value >= 0x20 && $0.value != 0x7F) }
    }

    /// What opening a note found.
    public struct Opened: Sendable {
        public let text: String
        /// Names of the known keys whose signatures verified.
        public let verifiedBy: [String]
    }

    /// A note's text (up to and with the newline before the last blank line) and its signature lines.
    /// - Throws: `json.malformed` when there is no blank line or the note does not end in a newline.
    static func parts(of note: String) throws(SkillError) -> (text: String, signatures: Substring) {
        guard note.hasSuffix("\n"), let split = note.range(of: "\n\n", options: .backwards) else {
            throw SkillError(.jsonMalformed, "a signed note needs its text, a blank line and signature lines")
        }
        return (String(note[..<note.index(after: split.lowerBound)]), note[split.upperBound...])
    }

    /// Opens a signed note: checks its form, and the signatures by the keys it knows.
    /// - Returns: the text and who signed it, when at least one known key verified and none failed.
    /// - Throws: `json.malformed` for a malformed note; `credentials.proof-invalid` when a known
    ///   key's signature fails or no known key signed.
    public static func open(_ note: String, verifiers: [VerifierKey]) throws(SkillError) -> Opened {
        let (text, signatures) = try parts(of: note)
        guard isValidText(text), !signatures.isEmpty else { throw SkillError(.jsonMalformed, "the note's text is not valid") }
        var verified: [String] = []
        var lines = 0
        for line in signatures.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            lines += 1
            guard lines <= 100, line.hasPrefix(dash) else { throw SkillError(.jsonMalformed, "a signature line must start with '— '") }
            let rest = line.dropFirst(dash.count)
            guard let space = rest.lastIndex(of: " ") else { throw SkillError(.jsonMalformed, "a signature line needs a name and a signature") }
            let name = String(rest[..<space])
            guard isValidName(name), let blob = Data(base64Encoded: String(rest[rest.index(after: space)...])).map(Array.init), blob.count >= 5 else {
                throw SkillError(.jsonMalformed, "a signature line has a bad name or base64")
            }
            let id = Array(blob.prefix(4))
            guard let key = verifiers.first(where: { $0.name == name && $0.keyID == id }) else { continue }
            guard let publicKey = try? Ed25519PublicKey(rawRepresentation: key.publicKey),
                publicKey.isValidSignature(Array(blob.dropFirst(4)), for: Array(text.utf8))
            else { throw SkillError(.proofInvalid, "the signature by \(name) does not verify") }
            if !verified.contains(name) { verified.append(name) }
        }
        guard lines > 0 else { throw SkillError(.jsonMalformed, "the note has no signature line") }
        guard !verified.isEmpty else { throw SkillError(.proofInvalid, "no signature by a known key") }
        return Opened(text: text, verifiedBy: verified)
    }
}

/// A C2SP tlog-checkpoint: origin, tree size and root hash (and extension lines).
public struct Checkpoint: Sendable, Hashable {
    public let origin: String
    public let size: Int
    public let rootHash: [UInt8]
    public let extensions: [String]

    public init(origin: String, size: Int, rootHash: [UInt8], extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// The note text.
    public var text: String {
        ([origin, String(size), Data(rootHash).base64EncodedString()] + extensions).joined(separator: "\n") + "\n"
    }

    /// Parses the checkpoint in a signed note *without* checking its signatures: for a note the
    /// caller made itself, or one whose signatures are checked elsewhere (`SignedNote.open`).
    /// - Throws: `json.malformed`.
    public init(unverifiedNote note: String) throws(SkillError) {
        try self.init(text: try SignedNote.parts(of: note).text)
    }

    /// Parses a checkpoint's note text.
    /// - Throws: `json.malformed` naming the bad line.
    public init(text: String) throws(SkillError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard text.hasSuffix("\n"), lines.last == "" else { throw SkillError(.jsonMalformed, "a checkpoint ends in a newline") }
        lines.removeLast()
        guard lines.count >= 3, !lines[0].isEmpty else { throw SkillError(.jsonMalformed, "a checkpoint has origin, size and root lines") }
        guard let size = Int(lines[1]), size >= 0, String(size) == lines[1] else {
            throw SkillError(.jsonMalformed, "the tree size is not a decimal number", field: "line 2")
        }
        guard let root = Data(base64Encoded: lines[2]).map(Array.init), root.count == 32 else {
            throw SkillError(.jsonMalformed, "the root hash is not 32 bytes of base64", field: "line 3")
        }
        guard !lines.dropFirst(3).contains(where: \.isEmpty) else { throw SkillError(.jsonMalformed, "an extension line is empty") }
        self.init(origin: lines[0], size: size, rootHash: root, extensions: Array(lines.dropFirst(3)))
    }
}
