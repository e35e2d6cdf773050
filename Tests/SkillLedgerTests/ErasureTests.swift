import Foundation
import GRDB
import SkillCore
import SkillCredentials
@testable import SkillLedger
import Testing

/// A person may ask to be forgotten: their personal data is destroyed while the log, the
/// credits and the certificates stay verifiable.
@Suite struct ErasureTests {
    @Test func nothingOfThePersonIsRecoverableAndEverythingStillVerifies() throws {
        let b = try IssuedBank()
        _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        let other = try b.bank.person(2, name: "王芳")
        let clear = try b.ledger.registration.revealPerson(b.person.id)
        let credential = try JSONParser().parse(try b.ledger.certificates.export(b.certificate.id, format: .vc))
        // The platform services hold some of them too: insurance figures by blind index, the inbox, the talent pool.
        let insurance = b.bank.folder.appendingPathComponent("insurance.csv")
        try "id_type,id_number,months,as_of,benefit\nresident,\(clear.idNumber),20,2026-11-30,no\n".write(to: insurance, atomically: true, encoding: .utf8)
        _ = try b.ledger.subsidies.importInsurance(from: insurance)
        _ = try b.ledger.talent.optIn(person: b.person.id, .init(district: "宝安区", contact: "13800009999"))
        #expect(try b.bank.count("insurance_records") == 1 && b.bank.count("notices", "person_id = '\(b.person.id)'") > 0)

        // Everything of the person the bank keeps, read raw from the file before the erasure.
        var secrets: [(what: String, bytes: [UInt8])] = [("name", Array(clear.name.utf8)), ("id number", Array(clear.idNumber.utf8))]
        let queue = try DatabaseQueue(path: b.bank.dbPath)
        try queue.read { db in
            let person = try #require(try Row.fetchOne(db, sql: "SELECT * FROM people WHERE id = ?", arguments: [b.person.id]))
            for column in ["id_index", "name_index", "id_ciphertext", "name_ciphertext"] { secrets.append((column, Array(person[column] as Data))) }
            secrets.append(("masked id", Array((person["id_masked"] as String).utf8)))
            for row in try Row.fetchAll(db, sql: "SELECT salt_ciphertext FROM certificates WHERE person_id = ?", arguments: [b.person.id]) {
                secrets.append(("identity salt", Array(row[0] as Data)))
            }
            for row in try Row.fetchAll(db, sql: "SELECT seq, salt, canonical FROM events WHERE person_id = ?", arguments: [b.person.id]) {
                secrets.append(("event \(row[0] as Int) salt", Array(row[1] as Data)))
                secrets.append(("event \(row[0] as Int) body", Array(row[2] as Data)))
            }
        }
        try queue.close()
        #expect(secrets.count > 12)

        let report = try b.ledger.registration.erase(person: b.person.id, reason: .request)
        #expect(report.events >= 5 && report.certificates == 1)
        #expect(try b.bank.count("insurance_records") == 0 && b.bank.count("notices", "person_id = '\(b.person.id)'") == 0)
        #expect(try b.bank.count("talent_profiles") == 0)

        // Nothing of it is left in the file or its write-ahead log.
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: b.bank.dbPath + suffix) {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: b.bank.dbPath + suffix)))
            for secret in secrets where !secret.bytes.isEmpty {
                #expect(bytes.firstRange(of: secret.bytes) == nil, "\(secret.what) is still in bank.sqlite\(suffix)")
            }
        }
        // The person is unreachable by what identified them; nothing new is recorded about them.
        expectCode(.personNotFound) { _ = try b.ledger.registration.revealPerson(b.person.id) }
        #expect(try b.ledger.registration.findPerson(idType: .resident, idNumber: clear.idNumber) == nil)
        expectCode(.certificateNotFound) { _ = try b.ledger.certificates.lookup(number: b.certificate.number, name: clear.name, idNumber: nil) }
        expectCode(.personNotFound) { _ = try b.ledger.training.enrol(person: b.person.id, course: try b.bank.course(try b.bank.school()).id) }
        expectCode(.transitionInvalid) { _ = try b.ledger.registration.erase(person: b.person.id, reason: .request) }
        #expect(try b.ledger.registration.person(b.person.id).maskedName == Registration.erasedMask)

        // The log audits clean, its erased leaves checked by commitment; the credits reconcile;
        // the certificate still verifies; the other worker is untouched.
        _ = try b.ledger.log.checkpoint()
        let audit = try b.ledger.log.audit()
        #expect(audit.isClean && audit.commitmentsOnly == report.events)
        #expect(try b.ledger.accounts.reconcile().isBalanced)
        let verifier = CredentialVerifier(trustList: try b.ledger.registration.trustList(), statusLists: try b.ledger.certificates.allStatusLists())
        #expect(verifier.verify(credential: credential).isValid)
        #expect(try b.ledger.registration.revealPerson(other.id).name == "王芳")
        // The erasure says that it happened, not whose.
        let erased = try #require(try b.ledger.log.events(limit: 10_000).first { $0.id == report.eventID })
        #expect(erased.type == "person.erased" && !String(decoding: erased.canonical, as: UTF8.self).contains("per_"))
    }
}
