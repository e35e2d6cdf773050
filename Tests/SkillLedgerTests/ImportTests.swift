import Foundation
import SkillCore
import SkillLedger
import Testing

@Suite struct ImportTests {
    func file(_ bank: TestBank, _ name: String, _ text: String) throws -> URL {
        let url = bank.folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func badRowsAreAllReportedAndNothingIsWritten() throws {
        let bank = try TestBank()
        let csv = """
            name,id_type,id_number
            王一,resident,\(TestBank.residentID(1))
            王二,resident,440305199003071230
            ,passport,E12345678
            王四,alien,X1
            "王,五",resident,\(TestBank.residentID(1))

            """
        let before = try bank.snapshot()
        let report = try bank.ledger.imports.importCSV(.people, from: try file(bank, "people.csv", csv))
        #expect(!report.committed)
        #expect(report.imported == 0)
        #expect(report.problems.map(\.description) == [
            "line 3, column id_number: the check character does not match (GB 11643 MOD 11-2)",
            "line 4, column name: the name is empty",
            "line 5, column id_type: id_type must be one of resident, passport, hk-macao, taiwan",
            "line 6, column id_number: this identity document is already registered as \(report.problems.last!.message.split(separator: " ").last!)",
        ])
        #expect(report.problems.map(\.code) == [.idNumberInvalid, .nameInvalid, .invalidField, .personExists])
        #expect(try bank.snapshot() == before)
    }

    @Test func skipBadImportsTheGoodRows() throws {
        let bank = try TestBank()
        let csv = "name,id_type,id_number\n王一,resident,\(TestBank.residentID(1))\n王二,resident,440305199003071230\n王三,resident,\(TestBank.residentID(3))\n"
        let report = try bank.ledger.imports.importCSV(.people, from: try file(bank, "people.csv", csv), skipBad: true)
        #expect(report.committed && report.imported == 2)
        #expect(report.problems.count == 1 && report.problems[0].line == 3)
        #expect(try bank.count("people") == 2)
        #expect(try bank.count("events") == 3)  // + the registry key event
    }

    @Test func enrolmentsAndCompletionsWithQuotedLineBreaks() throws {
        let bank = try TestBank()
        let school = try bank.school()
        let course = try bank.course(school, capacity: 2)
        let people = try (1...3).map { try bank.person($0) }
        // A quoted field spanning two lines makes later records start one line further down.
        let enrolCSV = """
            course,person
            \(course.id),\(people[0].id)
            "\(course.id)","\(people[1].id)"
            "crs_no
            such",\(people[2].id)
            \(course.id),\(people[2].id)

            """
        let strict = try bank.ledger.imports.importCSV(.enrolments, from: try file(bank, "e.csv", enrolCSV))
        #expect(!strict.committed)
        #expect(strict.problems.map(\.description) == [
            "line 4, column course: no course 'crs_no\nsuch'",
            "line 6, column person: course \(course.id) is full (2 places)",
        ])
        #expect(try bank.count("enrolments") == 0)

        let loose = try bank.ledger.imports.importCSV(.enrolments, from: try file(bank, "e.csv", enrolCSV), skipBad: true)
        #expect(loose.imported == 2)
        let ids = try bank.ledger.accounts.record(of: people[0].id).training.map(\.enrolment.id)
            + bank.ledger.accounts.record(of: people[1].id).training.map(\.enrolment.id)
        let completions = "enrolment,outcome\n\(ids[0]),completed\n\(ids[1]),passed\n"
        let bad = try bank.ledger.imports.importCSV(.completions, from: try file(bank, "c.csv", completions))
        #expect(bad.problems.map(\.description) == ["line 3, column outcome: outcome must be completed, failed or withdrawn"])
        #expect(try bank.count("postings") == 0)
        let good = try bank.ledger.imports.importCSV(.completions, from: try file(bank, "c2.csv", "outcome,enrolment\ncompleted,\(ids[0])\nFAILED,\(ids[1])\n"))
        #expect(good.committed && good.imported == 2)
        #expect(try bank.ledger.accounts.balances(of: people[0].id).first?.tenths == 64)
        #expect(try bank.ledger.accounts.reconcile().isBalanced)
    }

    @Test func wholeFileProblems() throws {
        let bank = try TestBank()
        expectCode(.csvHeader) { _ = try bank.ledger.imports.importCSV(.people, from: try file(bank, "h.csv", "name,idtype,id_number\n")) }
        let e = expectCode(.csvHeader) { _ = try bank.ledger.imports.importCSV(.enrolments, from: try file(bank, "h2.csv", "person\nper_x\n")) }
        #expect(e?.message.contains("missing course") == true)
        expectCode(.fileUnreadable) { _ = try bank.ledger.imports.importCSV(.people, from: bank.folder.appendingPathComponent("missing.csv")) }
        expectCode(.csvMalformed) { _ = try bank.ledger.imports.importCSV(.enrolments, from: try file(bank, "m.csv", "person,course\na,b,c\n")) }
        let binary = bank.folder.appendingPathComponent("bin.csv")
        try Data([0x70, 0x65, 0x72, 0x73, 0x6F, 0x6E, 0x2C, 0x63, 0x6F, 0x75, 0x72, 0x73, 0x65, 0x0A, 0xFF, 0xFE, 0x2C, 0x61, 0x0A]).write(to: binary)
        expectCode(.csvMalformed) { _ = try bank.ledger.imports.importCSV(.enrolments, from: binary) }
    }
}
