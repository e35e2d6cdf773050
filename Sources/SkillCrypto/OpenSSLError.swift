internal import COpenSSL
import SkillCore

extension SkillError {
    /// A `crypto.failure` whose cause is the drained OpenSSL error queue, so no stale error
    /// leaks into a later call.
    static func openSSL(_ what: String, code: SkillError.Code = .cryptoFailure) -> SkillError {
        var reasons: [String] = []
        while case let e = ERR_get_error(), e != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(e, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return SkillError(code, "\(what) failed", cause: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }
}

/// Clears a buffer in a way the compiler cannot optimise away (OPENSSL_cleanse).
public func scrub(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
}
