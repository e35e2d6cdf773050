import Foundation
import SkillCore
import Testing

/// Dates as people read them: the registry's day, not UTC's.
@Suite struct LocalTimeTests {
    let shanghai = LocalTime(zone: TimeZone(identifier: "Asia/Shanghai")!)

    @Test func anEveningInUTCIsTheNextDayInShenzhen() {
        let d = shanghai.day("2026-12-06T18:53:00Z")!
        #expect(d.zh == "2026年12月7日" && d.en == "7 Dec 2026")
        #expect(shanghai.day("2026-12-06T15:59:59Z")!.zh == "2026年12月6日")
        #expect(shanghai.text("2026-12-06T18:53:00Z") == "2026年12月7日 (7 Dec 2026, UTC 2026-12-06T18:53:00Z)")
    }

    @Test func otherZonesAndBadInput() {
        let london = LocalTime(zone: TimeZone(identifier: "Europe/London")!)
        #expect(london.day("2026-12-06T18:53:00Z")!.en == "6 Dec 2026")
        #expect(shanghai.day("yesterday") == nil && shanghai.text("yesterday") == "yesterday")
        #expect(shanghai.day(CalendarDate(iso: "2027-01-31")!).en == "31 Jan 2027")
    }
}
