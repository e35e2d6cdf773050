import Foundation
import Synchronization

/// Prefixed, time-sortable identifiers (`per_01JD…`): a kind prefix, then a ULID-style
/// 26-character Crockford base32 string of 48 bits of milliseconds and 80 random bits.
/// Ids sort by creation time and carry nothing about the person or institution.
///
/// Within one millisecond the generator is monotonic (the ULID spec's monotonic mode): the
/// first id draws 80 random bits, later ones add one. Bulk imports, which stamp every row
/// with the same time, then insert into the id indexes in order instead of at random places,
/// which keeps B-tree pages hot.
public enum IdentifierKind: String, Sendable, CaseIterable {
    case person = "per"
    case institution = "ins"
    case accreditation = "acc"
    case course = "crs"
    case enrolment = "enr"
    case posting = "pst"
    case event = "evt"
    case account = "act"
    case assessment = "asm"
    case certificate = "crt"
    case key = "key"
    case conversion = "cnv"
    case token = "tok"
    case share = "shr"
    case claim = "clm"
    case batch = "bat"
    case notice = "ntc"
    case webhook = "whk"
    case message = "msg"
    case vacancy = "vac"
    case contactRequest = "ctq"
    case disclosure = "dsc"

    static let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// The kind an id's prefix names (`crs_…` → course), or nil when it names none.
    public init?(prefixOf id: String) {
        guard let underscore = id.firstIndex(of: "_") else { return nil }
        self.init(rawValue: String(id[..<underscore]))
    }

    /// A new identifier of this kind, unique and increasing within this process.
    /// - Parameter date: the creation time encoded in the first 48 bits.
    public func make(at date: Date = Date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let (high, low) = Self.monotonic.withLock { state -> (UInt16, UInt64) in
            var rng = SystemRandomNumberGenerator()
            if millis < state.millis {
                // An earlier time than the last id (a clock step back, or a caller's own date):
                // random bits, and the state stays with the latest time.
                return (UInt16(truncatingIfNeeded: rng.next()), rng.next())
            }
            if state.millis == millis, state.low != .max {
                state.low += 1
            } else if state.millis == millis {
                state.high &+= 1
                state.low = 0
            } else {
                state = (millis, UInt16(truncatingIfNeeded: rng.next()) & 0x7FFF, rng.next() >> 1)
            }
            return (state.high, state.low)
        }
        return encode(millis: millis, high: high, low: low)
    }

    /// The last (milliseconds, random high 16 bits, random low 64 bits) handed out. The random
    /// part starts with its top bits clear so that incrementing does not overflow in practice.
    private static let monotonic = Mutex<(millis: UInt64, high: UInt16, low: UInt64)>((0, 0, 0))

    /// A new identifier drawing its random part from `rng` (seeded generators make tests repeatable).
    public func make(at date: Date, using rng: inout some RandomNumberGenerator) -> String {
        encode(millis: UInt64(max(0, date.timeIntervalSince1970 * 1000)), high: UInt16(truncatingIfNeeded: rng.next()), low: rng.next())
    }

    private func encode(millis: UInt64, high: UInt16, low: UInt64) -> String {
        // 128 bits: 48 time | 16 high | 64 low, written as 26 base32 digits (130 bits, top 2 zero).
        var out = [UInt8](repeating: 0, count: 26)
        var hi = (millis << 16) | UInt64(high)  // top 64 bits
        var lo = low
        for i in stride(from: 25, through: 0, by: -1) {
            out[i] = Self.crockford[Int(lo & 31)]
            lo = (lo >> 5) | ((hi & 31) << 59)
            hi >>= 5
        }
        return rawValue + "_" + String(decoding: out, as: UTF8.self)
    }

    /// Whether `id` has this kind's prefix and a well-formed body.
    public func matches(_ id: String) -> Bool {
        let utf8 = Array(id.utf8)
        guard utf8.count == rawValue.utf8.count + 27, id.hasPrefix(rawValue + "_") else { return false }
        return utf8.suffix(26).allSatisfy { Self.crockford.contains($0) }
    }
}
