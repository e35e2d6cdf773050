import Foundation
import SkillCore
import SkillCrypto

/// Secrets kept in files of mode 0600 beside the database: the registry secret (personal-data
/// keys are derived from it) and the key passphrase (private keys are encrypted under it).
/// Each holds 32 random bytes as hex.
enum SecretFile {
    /// Reads the secret, or makes a new one when `create` is set and no file exists.
    /// - Parameters:
    ///   - path: the file.
    ///   - create: make the file when it does not exist.
    ///   - what: how messages name it ("registry secret", "key passphrase").
    ///   - asText: return the hex text itself (a passphrase) rather than the bytes it encodes.
    /// - Throws: `secret.missing` when there is no file, `secret.invalid` when the file is
    ///   readable by others or does not hold 32+ bytes of hex.
    static func loadOrCreate(at path: String, create: Bool, what: String = "registry secret", asText: Bool = false) throws(SkillError) -> SecretBytes {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw SkillError(.secretMissing, "the \(what) file is missing; without it \(what == "registry secret" ? "personal data cannot be read or matched" : "private keys cannot be used")", field: path)
            }
            var bytes = try SecureRandom.bytes(32)
            defer { scrub(&bytes) }
            var text = Array(Hex.encode(bytes).utf8) + [0x0A]
            defer { scrub(&text) }
            try writeNew(text, to: path, what: what)
            return asText ? SecretBytes(Array(text.dropLast())) : SecretBytes(bytes)
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw SkillError(.secretMissing, "cannot read the \(what) file", field: path) }
        guard info.st_mode & 0o077 == 0 else {
            throw SkillError(.secretInvalid, "the \(what) file must be readable by its owner only (chmod 600)", field: path)
        }
        guard let data = fm.contents(atPath: path) else {
            throw SkillError(.secretMissing, "cannot read the \(what) file", field: path)
        }
        var text = Array(data)
        defer { scrub(&text) }
        let trimmed = String(decoding: text, as: UTF8.self).trimmingSpaces
        guard var bytes = Hex.decode(trimmed), bytes.count >= 32 else {
            throw SkillError(.secretInvalid, "the \(what) file must hold at least 32 bytes as hex", field: path)
        }
        let secret = asText ? SecretBytes(Array(trimmed.utf8)) : SecretBytes(bytes)
        scrub(&bytes)
        return secret
    }
}

extension SecretFile {
    /// Copies a secret file to a new file of mode 0600 (never overwriting), flushed to disk.
    static func copy(_ from: String, to: String) throws(SkillError) {
        guard var bytes = FileManager.default.contents(atPath: from).map(Array.init) else {
            throw SkillError(.secretMissing, "cannot read the secret file", field: from)
        }
        defer { scrub(&bytes) }
        try writeNew(bytes, to: to, what: "secret")
    }

    /// Writes a new file of mode 0600 (failing if it exists) and flushes it to disk.
    static func writeNew(_ bytes: [UInt8], to path: String, what: String) throws(SkillError) {
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SkillError(.secretInvalid, "cannot create the \(what) file", field: path, cause: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw SkillError(.secretInvalid, "cannot write the \(what) file", field: path) }
    }
}
