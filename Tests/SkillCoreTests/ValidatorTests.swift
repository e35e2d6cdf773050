import Foundation
import SkillCore
import Testing

@Suite struct USCCTests {
    // Published codes of registered companies (Huawei Technologies, Tencent, Alibaba China, a Shanghai company).
    @Test(arguments: ["914403001922038216", "91440300708461136T", "91330100799655058B", "91310000717854505W", " 91440300708461136t "])
    func acceptsRealCodes(_ code: String) throws {
        let uscc = try USCC(code)
        #expect(uscc.value.count == 18)
        #expect(uscc.value == uscc.value.uppercased())
    }

    @Test(arguments: [
        ("914403001922038217", "check character"),  // last character changed
        ("91440300708461136", "18 characters"),
        ("9144030070846113IT", "not allowed"),  // I is never used
        ("91AB0300708461136T", "must be digits"),
    ])
    func rejects(_ code: String, _ reason: String) {
        #expect {
            _ = try USCC(code)
        } throws: { ($0 as? SkillError)?.code == .usccInvalid && ($0 as! SkillError).message.contains(reason) }
    }

    @Test func everySingleCharacterChangeIsCaught() throws {
        let good = Array("91440300708461136T")
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        for i in 0..<18 {
            for c in alphabet where c != good[i] {
                var bad = good
                bad[i] = c
                #expect((try? USCC(String(bad))) == nil, "\(String(bad))")
            }
        }
    }
}

@Suite struct PersonalIDTests {
    let provinces: Set<String> = ["11", "44", "23"]

    // 11010519491231002X and 440524188001010014 are the worked examples of GB 11643-1999.
    @Test(arguments: ["11010519491231002X", "440524188001010014", "440308199901011234", "11010519491231002x"])
    func acceptsResident(_ number: String) throws {
        let id = try PersonalID(type: .resident, number: number, provinces: provinces)
        #expect(id.number.count == 18)
        #expect(id.masked.hasPrefix(String(id.number.prefix(4))))
        #expect(id.masked.filter { $0 == "*" }.count == 10)
    }

    @Test(arguments: [
        ("110105194912310021", "check character"),
        ("11010519491331002X", "birth date"),
        ("99010519491231002X", "province"),
        ("1101051949123100", "18 characters"),
        ("1101051949123100XX", "must be digits"),
    ])
    func rejectsResident(_ number: String, _ reason: String) {
        #expect {
            _ = try PersonalID(type: .resident, number: number, provinces: provinces)
        } throws: { error in
            guard let e = error as? SkillError else { return false }
            // The message says what is wrong and never echoes the number.
            return e.code == .idNumberInvalid && e.message.contains(reason) && !e.description.contains(number)
        }
    }

    @Test func otherDocumentTypes() throws {
        #expect((try? PersonalID(type: .passport, number: "E12345678", provinces: [])) != nil)
        #expect((try? PersonalID(type: .passport, number: "E1", provinces: [])) == nil)
        #expect((try? PersonalID(type: .hkMacao, number: "H12345678", provinces: [])) != nil)
        #expect((try? PersonalID(type: .hkMacao, number: "X12345678", provinces: [])) == nil)
        #expect((try? PersonalID(type: .taiwan, number: "12345678", provinces: [])) != nil)
        #expect((try? PersonalID(type: .taiwan, number: "1234567", provinces: [])) == nil)
    }

    @Test func masking() throws {
        #expect(PersonalID.mask("440308199901011234") == "4403**********1234")
        #expect(PersonalID.mask("E12345678") == "E1*****78")
        #expect(try PersonName("张三").masked == "张*")
        #expect(try PersonName("欧阳娜娜").masked == "欧**娜")
        #expect(try PersonName("  Li  Wei ").normalized == "li wei")
        #expect((try? PersonName("   ")) == nil)
        #expect((try? PersonName("a\u{0}b")) == nil)
    }
}

@Suite struct CalendarDateTests {
    @Test func parsesAndOrders() throws {
        let a = try #require(CalendarDate(iso: "2024-02-29"))
        #expect(CalendarDate(iso: "2023-02-29") == nil)
        #expect(CalendarDate(iso: "2024-2-01") == nil)
        #expect(a < CalendarDate(iso: "2024-03-01")!)
        #expect(a.description == "2024-02-29")
        #expect(throws: SkillError.self) { try CalendarDate.parse("tomorrow", field: "--from") }
    }
}

@Suite struct IdentifierTests {
    @Test func prefixedSortableAndWellFormed() {
        let early = IdentifierKind.person.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let late = IdentifierKind.person.make(at: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(early.hasPrefix("per_"))
        #expect(early.count == 30)
        #expect(early < late)
        #expect(IdentifierKind.person.matches(early))
        #expect(!IdentifierKind.course.matches(early))
        #expect(!IdentifierKind.person.matches("per_0000"))
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(IdentifierKind.event.make()) }
        #expect(seen.count == 10_000)
        // Same instant, many ids: strictly increasing (monotonic within a millisecond). The
        // instant is later than any other test's clock, so parallel tests cannot interleave.
        let instant = Date(timeIntervalSince1970: 4_000_000_000)
        let burst = (0..<1_000).map { _ in IdentifierKind.event.make(at: instant) }
        #expect(burst == burst.sorted() && Set(burst).count == burst.count)
        #expect(burst.allSatisfy { IdentifierKind.event.matches($0) })
    }
}

@Suite struct TimestampTests {
    @Test func formatsRFC3339InUTC() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_910_873.9)) == "2026-11-29T00:07:53Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        #expect(Timestamp.format(epochMilliseconds: 1_795_948_262_007) == "2026-11-29T10:31:02.007Z")
        #expect(Timestamp.format(epochMilliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(epochMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsesRFC3339() {
        #expect(Timestamp.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(Timestamp.parse("2026-11-29T08:07:53+08:00") == Date(timeIntervalSince1970: 1_795_910_873))
        #expect(Timestamp.parse("2026-11-29T00:07:53.5Z") == Date(timeIntervalSince1970: 1_795_910_873.5))
        for bad in ["2026-11-29", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-29T00:07:53", "2026-11-29T00:07:53Zx", "2026-11-29T00:07:53."] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
        for s in [0.0, 1e9, 1_795_910_873] { #expect(Timestamp.parse(Timestamp.format(Date(timeIntervalSince1970: s))) == Date(timeIntervalSince1970: s)) }
        // The registry's day: 2026-11-28T20:00:00Z is already the 29th in China.
        #expect(CalendarDate(Timestamp.parse("2026-11-28T20:00:00Z")!).description == "2026-11-29")
        #expect(CalendarDate(Timestamp.parse("2026-11-28T15:59:59Z")!).description == "2026-11-28")
        #expect(CalendarDate(year: 2026, month: 1, day: 5)!.description == "2026-01-05")
        #expect(DecimalText.padded(7, width: 3) == "007" && DecimalText.padded(-7, width: 2) == "-07" && DecimalText.padded(12345, width: 2) == "12345")
        #expect(DecimalText.twoDecimals(1205) == "12.05" && DecimalText.twoDecimals(7) == "0.07" && DecimalText.twoDecimals(-50) == "-0.50")
    }
}
