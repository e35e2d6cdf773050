import Foundation

/// A certificate number (证书编号) scheme from `Standards/certificate-number-schemes.json`:
/// a whole-number pattern and, where sourced, a table of parts that can be cross-checked
/// (province codes, level codes) and composed into a new number.
public struct CertificateNumberScheme: Sendable, Codable, Hashable {
    public struct Part: Sendable, Codable, Hashable {
        public let key: String
        public let zh: String
        public let start: Int
        public let length: Int
        public let pattern: String
        public let check: String?
        public let note: String?
    }

    public let id: String
    public let zh: String
    public let length: Int
    public let pattern: String
    public let generator: Bool
    public let parts: [Part]
    public let partsStatus: Provenance
    public let example: String?
    public let source: String
    public let status: Provenance

    /// Validates a number and splits it into its parts.
    /// - Parameters:
    ///   - number: the certificate number.
    ///   - provinces: known province codes (for parts with `check: province`).
    ///   - levels: known five-level codes (for parts with `check: level`).
    /// - Returns: the parts by key (empty when the scheme's part layout is not sourced).
    /// - Throws: `certificate.number-invalid` naming the part that is wrong.
    public func parse(_ number: String, provinces: Set<String>, levels: Set<Int>) throws(SkillError) -> [String: String] {
        let text = number.trimmingSpaces
        guard text.count == length else {
            throw SkillError(.certificateNumberInvalid, "a \(zh) has \(length) characters, got \(text.count)")
        }
        guard Self.matches(text, pattern) else {
            throw SkillError(.certificateNumberInvalid, "does not match the \(id) pattern \(pattern)")
        }
        var result: [String: String] = [:]
        let chars = Array(text)
        for part in parts {
            let value = String(chars[(part.start - 1)..<(part.start - 1 + part.length)])
            guard Self.matches(value, part.pattern) else {
                throw SkillError(.certificateNumberInvalid, "part \(part.key) (\(part.zh)) '\(value)' does not match \(part.pattern)")
            }
            switch part.check {
            case "province" where !provinces.contains(value):
                throw SkillError(.certificateNumberInvalid, "part \(part.key) (\(part.zh)) '\(value)' is not a known province code")
            case "level" where !levels.contains(Int(value) ?? -1):
                throw SkillError(.certificateNumberInvalid, "part \(part.key) (\(part.zh)) '\(value)' is not a level code")
            default: break
            }
            result[part.key] = value
        }
        return result
    }

    /// Composes a number from its parts and validates the result.
    /// - Parameters:
    ///   - values: a value for every part key; numbers are zero-padded to the part's length.
    ///   - provinces: known province codes.
    ///   - levels: known five-level codes.
    /// - Returns: the certificate number.
    /// - Throws: `certificate.number-invalid` when the scheme cannot generate, a part is
    ///   missing, too long, or the result does not validate.
    public func compose(_ values: [String: String], provinces: Set<String>, levels: Set<Int>) throws(SkillError) -> String {
        guard generator, !parts.isEmpty else {
            throw SkillError(.certificateNumberInvalid, "scheme \(id) is a validator only; it cannot generate numbers")
        }
        var out = ""
        for part in parts.sorted(by: { $0.start < $1.start }) {
            guard var value = values[part.key] else {
                throw SkillError(.certificateNumberInvalid, "no value for part \(part.key) (\(part.zh))")
            }
            if value.count < part.length, value.allSatisfy(\.isASCIIDigit) {
                value = String(repeating: "0", count: part.length - value.count) + value
            }
            guard value.count == part.length else {
                throw SkillError(.certificateNumberInvalid, "part \(part.key) (\(part.zh)) must have \(part.length) characters")
            }
            out += value
        }
        _ = try parse(out, provinces: provinces, levels: levels)
        return out
    }

    static func matches(_ text: String, _ pattern: String) -> Bool { RegexCache.matches(text, pattern) }
}
