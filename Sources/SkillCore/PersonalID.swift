import Foundation

/// The kind of identity document a worker registers with.
public enum IDType: String, Sendable, CaseIterable, Codable {
    /// 居民身份证, 18 characters with a GB 11643-1999 check character.
    case resident
    /// A passport number (any country).
    case passport
    /// 港澳居民来往内地通行证 (Home Return Permit): H or M followed by 8 or 10 digits.
    case hkMacao = "hk-macao"
    /// 台湾居民来往大陆通行证: 8 or 10 digits.
    case taiwan
}

/// A validated identity document number. Personal data: never log it, never put it in an
/// event or a credential; persist only its blind index and its ciphertext.
public struct PersonalID: Sendable, Hashable {
    public let type: IDType
    /// The normalised number (upper case, no spaces).
    public let number: String

    static let residentWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let residentCheck = Array("10X98765432")

    /// Validates a number of the given type.
    /// - Parameters:
    ///   - type: the document type.
    ///   - number: the number as written.
    ///   - provinces: the two-digit province codes that may start a resident ID number.
    /// - Throws: `person.id-number-invalid`, saying what is wrong without echoing the number.
    public init(type: IDType, number raw: String, provinces: Set<String>) throws(SkillError) {
        let number = raw.trimmingSpaces.uppercased().replacingOccurrences(of: " ", with: "")
        self.type = type
        self.number = number
        switch type {
        case .resident: try Self.checkResident(number, provinces: provinces)
        case .passport:
            guard (5...20).contains(number.count), number.allSatisfy({ $0.isASCIIDigit || ("A"..."Z").contains($0) }) else {
                throw SkillError(.idNumberInvalid, "a passport number has 5–20 letters and digits")
            }
        case .hkMacao:
            let chars = Array(number)
            guard let first = chars.first, first == "H" || first == "M", chars.count == 9 || chars.count == 11,
                chars.dropFirst().allSatisfy(\.isASCIIDigit)
            else {
                throw SkillError(.idNumberInvalid, "a Home Return Permit number is H or M followed by 8 or 10 digits")
            }
        case .taiwan:
            guard number.count == 8 || number.count == 10, number.allSatisfy(\.isASCIIDigit) else {
                throw SkillError(.idNumberInvalid, "a Taiwan compatriot permit number has 8 or 10 digits")
            }
        }
    }

    /// GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence, and a check
    /// character = the ISO 7064 MOD 11-2 checksum over the first 17 digits.
    static func checkResident(_ number: String, provinces: Set<String>) throws(SkillError) {
        let chars = Array(number)
        guard chars.count == 18 else {
            throw SkillError(.idNumberInvalid, "a resident ID number has 18 characters, got \(chars.count)")
        }
        guard chars.prefix(17).allSatisfy(\.isASCIIDigit) else {
            throw SkillError(.idNumberInvalid, "the first 17 characters of a resident ID number must be digits")
        }
        guard provinces.isEmpty || provinces.contains(String(chars[0..<2])) else {
            throw SkillError(.idNumberInvalid, "the address code does not start with a known province code")
        }
        let birth = String(chars[6..<14])
        guard CalendarDate(compact: birth) != nil else {
            throw SkillError(.idNumberInvalid, "characters 7–14 are not a valid birth date")
        }
        guard chars[17] == residentCheckCharacter(for: String(chars.prefix(17))) else {
            throw SkillError(.idNumberInvalid, "the check character does not match (GB 11643 MOD 11-2)")
        }
    }

    /// The GB 11643 check character for the first 17 digits of a resident ID number, or nil.
    public static func residentCheckCharacter(for first17: String) -> Character? {
        let chars = Array(first17)
        guard chars.count == 17, chars.allSatisfy(\.isASCIIDigit) else { return nil }
        var sum = 0
        for i in 0..<17 { sum += chars[i].wholeNumberValue! * residentWeights[i] }
        return residentCheck[sum % 11]
    }

    /// The masked form shown on screens: the first four and last four characters of an
    /// 18-character number (`4403**********1234`), fewer for short document numbers.
    public var masked: String { Self.mask(number) }

    /// Masks any identifier, keeping at most a third of it visible.
    public static func mask(_ s: String) -> String {
        let chars = Array(s)
        let keep = chars.count >= 12 ? 4 : (chars.count >= 6 ? 2 : 0)
        guard chars.count > 2 * keep else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(keep)) + String(repeating: "*", count: chars.count - 2 * keep) + String(chars.suffix(keep))
    }
}

/// A worker's name: personal data, stored encrypted with a blind index, shown masked.
public struct PersonName: Sendable, Hashable {
    public let value: String

    /// Validates a name: 1–64 characters after trimming, no control characters.
    /// - Throws: `person.name-invalid`.
    public init(_ raw: String) throws(SkillError) {
        let v = raw.trimmingSpaces
        guard !v.isEmpty else { throw SkillError(.nameInvalid, "the name is empty") }
        guard v.count <= 64 else { throw SkillError(.nameInvalid, "the name is longer than 64 characters") }
        guard !v.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SkillError(.nameInvalid, "the name contains a control character")
        }
        value = v.precomposedStringWithCanonicalMapping
    }

    /// The form used for the blind index: NFC, case-folded, inner white space collapsed.
    public var normalized: String {
        value.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The masked form: the first character, then one `*` per remaining character
    /// (`张**`), or the first and last characters for names of four or more.
    public var masked: String {
        let chars = Array(value)
        if chars.count <= 1 { return "*" }
        if chars.count <= 3 { return String(chars[0]) + String(repeating: "*", count: chars.count - 1) }
        return String(chars[0]) + String(repeating: "*", count: chars.count - 2) + String(chars[chars.count - 1])
    }
}
