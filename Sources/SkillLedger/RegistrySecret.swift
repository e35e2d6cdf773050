import Foundation
import SkillCore
import SkillCrypto

/// The registry secret: 32 random bytes, hex in a file of mode 0600 beside the database
/// (or at `SKILLBANK_SECRET_FILE`). The personal-data keys are derived from it.
enum RegistrySecret {
    /// Reads the secret, or makes a new one when `create` is set and no file exists.
    /// - Throws: `secret.missing` when there is no file, `secret.invalid` when the file is
    ///   readable by others or does not hold 32+ bytes of hex.
    static func loadOrCreate(at path: String, create: Bool) throws(SkillError) -> SecretBytes {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw SkillError(.secretMissing, "the registry secret file is missing; without it personal data cannot be read or matched", field: path)
            }
            var bytes = try SecureRandom.bytes(32)
            defer { scrub(&bytes) }
            var text = Array(Hex.encode(bytes).utf8) + [0x0A]
            defer { scrub(&text) }
            let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw SkillError(.secretInvalid, "cannot create the registry secret file", field: path, cause: String(cString: strerror(errno))) }
            defer { close(fd) }
            let written = text.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written == text.count, fsync(fd) == 0 else {
                throw SkillError(.secretInvalid, "cannot write the registry secret file", field: path)
            }
            return SecretBytes(bytes)
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw SkillError(.secretMissing, "cannot read the registry secret file", field: path) }
        guard info.st_mode & 0o077 == 0 else {
            throw SkillError(.secretInvalid, "the registry secret file must be readable by its owner only (chmod 600)", field: path)
        }
        guard let data = fm.contents(atPath: path) else {
            throw SkillError(.secretMissing, "cannot read the registry secret file", field: path)
        }
        var text = Array(data)
        defer { scrub(&text) }
        let trimmed = String(decoding: text, as: UTF8.self).trimmingSpaces
        guard var bytes = Hex.decode(trimmed), bytes.count >= 32 else {
            throw SkillError(.secretInvalid, "the registry secret file must hold at least 32 bytes as hex", field: path)
        }
        let secret = SecretBytes(bytes)
        scrub(&bytes)
        return secret
    }
}
