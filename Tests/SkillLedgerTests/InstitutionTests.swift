import Foundation
import SkillCore
import SkillLedger
import SkillTestSupport
import Testing

@Suite struct InstitutionTests {
    @Test func registerAccreditSuspend() throws {
        let bank = try TestBank()
        let school = try bank.school()
        #expect(school.kind == .training && !school.isSuspended)
        let shown = try bank.ledger.registration.institution(school.id)
        #expect(shown.accreditations.count == 1)
        #expect(shown.accreditations[0].levels == [5, 4, 3])
        #expect(try bank.ledger.registration.setInstitutionSuspended(school.id, true, reason: "audit").isSuspended)
        expectCode(.transitionInvalid) { _ = try bank.ledger.registration.setInstitutionSuspended(school.id, true) }
        #expect(try !bank.ledger.registration.setInstitutionSuspended(school.id, false).isSuspended)
        #expect(try bank.count("events", "type LIKE 'institution.%'") == 4)
    }

    @Test func badInputWritesNothing() throws {
        let bank = try TestBank()
        let before = try bank.snapshot()
        let e = expectCode(.usccInvalid) {
            _ = try bank.ledger.registration.registerInstitution(.init(name: "x", kind: .training, code: "914403001922038217", province: "44"))
        }
        #expect(e?.field == "code")
        expectCode(.provinceInvalid) {
            _ = try bank.ledger.registration.registerInstitution(.init(name: "x", kind: .social, code: "914403001922038216", province: "99"))
        }
        expectCode(.provinceInvalid) {
            _ = try bank.ledger.registration.registerInstitution(.init(name: "x", kind: .social, code: "914403001922038216", province: nil))
        }
        expectCode(.invalidField) {
            _ = try bank.ledger.registration.registerInstitution(.init(name: "  ", kind: .social, code: "914403001922038216", province: "44"))
        }
        expectCode(.institutionNotFound) { _ = try bank.ledger.registration.accredit("ins_nope", occupation: "6-31-01-03", levels: [5]) }
        #expect(try bank.snapshot() == before)

        let i = try bank.ledger.registration.registerInstitution(.init(name: "华为", kind: .employer, code: "914403001922038216", province: "44"))
        let after = try bank.snapshot()
        expectCode(.institutionExists) {
            _ = try bank.ledger.registration.registerInstitution(.init(name: "again", kind: .social, code: "914403001922038216", province: "44"))
        }
        expectCode(.occupationUnknown) { _ = try bank.ledger.registration.accredit(i.id, occupation: "6-31-01-99", levels: [5]) }
        expectCode(.levelUnknown) { _ = try bank.ledger.registration.accredit(i.id, occupation: "6-31-01-03", levels: [6]) }
        expectCode(.levelUnknown) { _ = try bank.ledger.registration.accredit(i.id, occupation: "6-31-01-03", levels: []) }
        expectCode(.invalidField) {
            _ = try bank.ledger.registration.accredit(i.id, occupation: "6-31-01-03", levels: [5], from: CalendarDate(iso: "2026-01-02"), until: CalendarDate(iso: "2026-01-01"))
        }
        #expect(try bank.snapshot() == after)
    }

    @Test func internationalBodiesUseTheirOwnCode() throws {
        let bank = try TestBank()
        let body = try bank.ledger.registration.registerInstitution(.init(name: "Vocational Training Council", kind: .international, code: "vtc-hk", province: "81"))
        #expect(body.code == "VTC-HK")
        expectCode(.invalidField) {
            _ = try bank.ledger.registration.registerInstitution(.init(name: "x", kind: .international, code: "a b", province: nil))
        }
    }
}

@Suite struct PersonTests {
    @Test func registerFindAndMask() throws {
        let bank = try TestBank()
        let p = try bank.person(1, name: "欧阳娜娜")
        #expect(p.maskedName == "欧**娜")
        #expect(p.maskedIDNumber.hasPrefix("4403") && p.maskedIDNumber.contains("**********"))
        let found = try #require(try bank.ledger.registration.findPerson(idType: .resident, idNumber: TestBank.residentID(1)))
        #expect(found.id == p.id)
        #expect(try bank.ledger.registration.findPerson(idType: .resident, idNumber: TestBank.residentID(2)) == nil)
        #expect(try bank.ledger.registration.findPerson(idType: .passport, idNumber: TestBank.residentID(1)) == nil)
        let clear = try bank.ledger.registration.revealPerson(p.id)
        #expect(clear.name == "欧阳娜娜" && clear.idNumber == TestBank.residentID(1))
    }

    @Test func duplicatesAndBadNumbersWriteNothing() throws {
        let bank = try TestBank()
        let p = try bank.person(1)
        let before = try bank.snapshot()
        let dup = expectCode(.personExists) { _ = try bank.person(1, name: "别人") }
        #expect(dup?.message.contains(p.id) == true)
        let bad = expectCode(.idNumberInvalid) { _ = try bank.ledger.registration.registerPerson(name: "李四", idType: .resident, idNumber: "440305199003070011") }
        #expect(bad?.field == "id_number")
        #expect(bad.map { !$0.description.contains("440305199003070011") } == true)
        expectCode(.nameInvalid) { _ = try bank.ledger.registration.registerPerson(name: "", idType: .passport, idNumber: "E12345678") }
        expectCode(.personNotFound) { _ = try bank.ledger.registration.person("per_missing") }
        #expect(try bank.snapshot() == before)
    }

    @Test func personalDataIsNeverStoredInClear() throws {
        let bank = try TestBank()
        let names = ["王小明", "Zhang Wei"]
        var numbers: [String] = []
        for (n, name) in names.enumerated() {
            numbers.append(TestBank.residentID(100 + n))
            let p = try bank.ledger.registration.registerPerson(name: name, idType: .resident, idNumber: numbers.last!)
            let school = try bank.school(n + 1)
            let course = try bank.course(school)
            let e = try bank.ledger.training.enrol(person: p.id, course: course.id)
            _ = try bank.ledger.training.close(enrolment: e.id, as: .completed)
        }
        // The database file and its WAL, byte for byte.
        var bytes = Data()
        for suffix in ["", "-wal"] {
            if let d = FileManager.default.contents(atPath: bank.dbPath + suffix) { bytes.append(d) }
        }
        #expect(bytes.count > 0)
        for secret in names + numbers {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "found personal data in the database files")
        }
        // Every event's canonical JSON.
        for e in try bank.ledger.log.events(limit: 10_000) {
            let text = String(decoding: e.canonical, as: UTF8.self)
            for secret in names + numbers { #expect(!text.contains(secret)) }
        }
    }
}

@Suite struct SecretTests {
    @Test func wrongLooseOrMissingSecretIsRefused() throws {
        let bank = try TestBank()
        _ = try bank.person(1)
        let config = Bank.Configuration(besideDatabase: bank.dbPath)
        // Reopening with the same secret works, and needs no Standards folder: they live in the database.
        let reopened = try TestBanks.open(sqlite: bank.dbPath, standards: URL(fileURLWithPath: "/nonexistent"))
        #expect(reopened.created == false)
        #expect(reopened.bank.standards.occupations.count >= 20)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.secretPath)
        expectCode(.secretInvalid) { _ = try TestBanks.open(sqlite: bank.dbPath) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config.secretPath)

        let other = bank.folder.appendingPathComponent("other.secret").path
        try (String(repeating: "ab", count: 32) + "\n").write(toFile: other, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: other)
        expectCode(.secretInvalid) { _ = try TestBanks.open(sqlite: bank.dbPath, secretPath: other) }

        expectCode(.secretMissing) { _ = try TestBanks.open(sqlite: bank.dbPath, secretPath: other + ".missing") }

        let attributes = try FileManager.default.attributesOfItem(atPath: config.secretPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
