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

    /// The same day `months` calendar months later (earlier when negative), on the month's last
    /// day when it is shorter (31 January + 1 month = 28 or 29 February).
    public func addingMonths(_ months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        let y = index / 12, m = index % 12 + 1
        return CalendarDate(year: y, month: m, day: min(day, Self.daysIn(month: m, year: y))) ?? self
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

    /// Parses `YYYY-MM-DD` or throws `input.invalid-field` naming `field`: a value in that shape
    /// that names no day (`2026-02-30`) is called that, not a format error.
    public static func parse(_ text: String, field: String) throws(SkillError) -> CalendarDate {
        let text = text.trimmingSpaces
        if let d = CalendarDate(iso: text) { return d }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) })
        {
            if !(1800...2999).contains(y) { throw SkillError(.invalidField, "\(text): the year must be from 1800 to 2999", field: field) }
            if !(1...12).contains(m) { throw SkillError(.invalidField, "\(text) is no such date: there is no month \(m)", field: field) }
            throw SkillError(.invalidField, "\(text) is no such date: \(y)-\(parts[1]) has \(daysIn(month: m, year: y)) days", field: field)
        }
        throw SkillError(.invalidField, "expected a date as YYYY-MM-DD, got '\(text.prefix(40))'", field: field)
    }

    /// The day `date` falls on in `timeZone` (the registry keeps China Standard Time).
    public init(_ date: Date, timeZone: TimeZone = .registry) {
        // Offset arithmetic with gmtime_r: a Calendar per call costs more than the rest of a
        // certificate check. China Standard Time has had no daylight saving since 1991.
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)) + time_t(timeZone.secondsFromGMT(for: date))
        var t = tm()
        gmtime_r(&seconds, &t)
        self.init(year: Int(t.tm_year) + 1900, month: Int(t.tm_mon) + 1, day: Int(t.tm_mday))!
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
        // By hand: String(format:) costs microseconds, and certificate checks format a day each.
        DecimalText.padded(year, width: 4) + "-" + DecimalText.padded(month, width: 2) + "-" + DecimalText.padded(day, width: 2)
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
    /// The registry's civil time zone: `SKILLBANK_TIME_ZONE` (an IANA name) when set and known,
    /// otherwise China Standard Time (Asia/Shanghai). Days (`CalendarDate`) and the dates people
    /// read (`LocalTime`) are in it; timestamps stay UTC.
    public static let registry: TimeZone = ProcessInfo.processInfo.environment["SKILLBANK_TIME_ZONE"].flatMap(TimeZone.init(identifier:))
        ?? TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
}

/// Dates as people read them, in the registry's time zone: `2026年12月7日` and `7 Dec 2026` for
/// the UTC instant `2026-12-06T18:53:00Z` (Shanghai is 8 hours ahead).
public struct LocalTime: Sendable {
    public let zone: TimeZone

    public init(zone: TimeZone = .registry) { self.zone = zone }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The day in Chinese and English, or nil when `timestamp` is not RFC 3339.
    public func day(_ timestamp: String) -> (zh: String, en: String)? {
        guard let instant = Timestamp.parse(timestamp) else { return nil }
        return day(CalendarDate(instant, timeZone: zone))
    }

    /// A calendar day in Chinese and English.
    public func day(_ d: CalendarDate) -> (zh: String, en: String) {
        ("\(d.year)年\(d.month)月\(d.day)日", "\(d.day) \(Self.months[d.month - 1]) \(d.year)")
    }

    /// `2026年12月7日 (7 Dec 2026, UTC 2026-12-06T18:53:00Z)`: for a terminal, where nothing hovers.
    public func text(_ timestamp: String) -> String {
        guard let d = day(timestamp) else { return timestamp }
        return "\(d.zh) (\(d.en), UTC \(timestamp))"
    }
}

/// RFC 3339 timestamps in UTC with second precision, as events and credentials use.
public enum Timestamp {
    /// Parses an RFC 3339 date-time (`2026-11-28T23:47:53Z`, fractional seconds and
    /// `±HH:MM` offsets accepted).
    /// - Returns: the instant, or nil when the text is not RFC 3339.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), CalendarDate(year: year, month: month, day: day) != nil,
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if b[i] == 46 {
            var scale = 0.1
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if (b[i] == 43 || b[i] == 45), i + 6 == b.count, b[i + 3] == 58, let h = number((i + 1)..<(i + 3)), let m = number((i + 4)..<(i + 6)) {
            offset = (h * 3600 + m * 60) * (b[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(hour)
        t.tm_min = Int32(minute)
        t.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&t) - offset) + fraction)
    }

    /// Formats `date` as `2026-11-28T23:47:53Z`.
    public static func format(_ date: Date) -> String {
        format(seconds: Int(date.timeIntervalSince1970.rounded(.down)), milliseconds: nil)
    }

    /// Formats a time in whole milliseconds since 1970 as `2026-11-28T23:47:53.042Z` (log lines).
    public static func format(epochMilliseconds: Int) -> String {
        let (seconds, milliseconds) = epochMilliseconds.quotientAndRemainder(dividingBy: 1000)
        return milliseconds < 0 ? format(seconds: seconds - 1, milliseconds: milliseconds + 1000) : format(seconds: seconds, milliseconds: milliseconds)
    }

    private static func format(seconds: Int, milliseconds: Int?) -> String {
        var clock = time_t(seconds)
        var t = tm()
        gmtime_r(&clock, &t)
        // Written by hand: String(format:) costs more than the rest of an event together.
        var out = [UInt8](repeating: 0, count: milliseconds == nil ? 20 : 24)
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
        if let milliseconds {
            out[19] = 46
            put(milliseconds, 20, 3)
        }
        out[out.count - 1] = 90
        return String(decoding: out, as: UTF8.self)
    }
}

/// Decimal text without `String(format:)`, which goes through Foundation's formatter and
/// costs microseconds a call on the hot paths (certificate checks, request logs).
public enum DecimalText {
    /// `value` in decimal, left-padded with zeros to `width` digits (a minus sign comes first).
    public static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value.magnitude)
        let pad = String(repeating: "0", count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + pad + digits
    }

    /// `hundredths / 100` with exactly two decimals ("12.05" for 1205, "-0.50" for -50).
    public static func twoDecimals(_ hundredths: Int) -> String {
        (hundredths < 0 ? "-" : "") + String(hundredths.magnitude / 100) + "." + padded(Int(hundredths.magnitude % 100), width: 2)
    }
}
