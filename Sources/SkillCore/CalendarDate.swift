import Foundation

/// A day in the Gregorian calendar without a time zone (course dates, validity windows).
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Makes a date when the parts name a real day between years 1800 and 2999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1800...2999).contains(year), (1...12).contains(month), day >= 1,
            day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses `YYYYMMDD` (as in a resident ID number).
    public init?(compact text: String) {
        guard text.count == 8, text.allSatisfy(\.isASCIIDigit) else { return nil }
        let c = Array(text)
        self.init(year: Int(String(c[0..<4]))!, month: Int(String(c[4..<6]))!, day: Int(String(c[6..<8]))!)
    }

    /// Parses `YYYY-MM-DD` or throws `input.invalid-field` naming `field`.
    public static func parse(_ text: String, field: String) throws(SkillError) -> CalendarDate {
        guard let d = CalendarDate(iso: text.trimmingSpaces) else {
            throw SkillError(.invalidField, "expected a date as YYYY-MM-DD, got '\(text.prefix(40))'", field: field)
        }
        return d
    }

    /// The day `date` falls on in `timeZone` (the registry keeps China Standard Time).
    public init(_ date: Date, timeZone: TimeZone = .registry) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: c.year!, month: c.month!, day: c.day!)!
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (a: Self, b: Self) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension TimeZone {
    /// China Standard Time, the registry's civil time zone.
    public static let registry = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
}

/// RFC 3339 timestamps in UTC with second precision, as events and credentials use.
public enum Timestamp {
    /// Formats `date` as `2026-11-28T23:47:53Z`.
    public static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        // Written by hand: String(format:) costs more than the rest of an event together.
        var out = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                out[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(Int(t.tm_year) + 1900, 0, 4)
        out[4] = 45
        put(Int(t.tm_mon) + 1, 5, 2)
        out[7] = 45
        put(Int(t.tm_mday), 8, 2)
        out[10] = 84
        put(Int(t.tm_hour), 11, 2)
        out[13] = 58
        put(Int(t.tm_min), 14, 2)
        out[16] = 58
        put(Int(t.tm_sec), 17, 2)
        out[19] = 90
        return String(decoding: out, as: UTF8.self)
    }
}
