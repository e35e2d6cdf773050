import Foundation
import GRDB
import SkillCore
import SkillCrypto
@testable import SkillLedger
import SkillTestSupport
import Testing

/// Private keys: encrypted at rest, files 0600, a wrong passphrase refused with a clear error,
/// and the seed of every key found nowhere on disk — not the database, its WAL, nor any file
/// beside it — in raw, hex or base64 form.
@Suite struct KeySafetyTests {
    /// Ed25519 PKCS#8 without encryption begins with these 16 bytes, then the seed.
    static let clearPKCS8Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    @Test func seedsNeverReachTheDiskInClear() throws {
        let bank = try TestBank()
        let evaluator = try bank.ledger.registration.registerInstitution(.init(name: "评价中心", kind: .social, code: TestBank.uscc("51440000MJ0000001"), province: "44"))
        _ = try bank.ledger.registration.rotateKey(of: evaluator.id)
        let passphrase = try String(contentsOfFile: bank.dbPath + ".keypass", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let queue = try DatabaseQueue(path: bank.dbPath)
        let pems = try queue.read { db in try String.fetchAll(db, sql: "SELECT encrypted_pem FROM keys") }
        try queue.close()
        #expect(pems.count == 3)  // the registry's key and the evaluator's two
        var seeds: [[UInt8]] = []
        for pem in pems {
            #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            let key = try Ed25519PrivateKey(encryptedPEM: pem, passphrase: SecretBytes(Array(passphrase.utf8)))
            seeds.append(try key.seedForAudit().withUnsafeBytes { Array($0) })
        }
        var forms: [[UInt8]] = [Array("BEGIN PRIVATE KEY".utf8), Self.clearPKCS8Prefix]
        for seed in seeds {
            forms += [seed, Array(Hex.encode(seed).utf8), Array(Hex.encode(seed).uppercased().utf8), Array(Data(seed).base64EncodedString().utf8)]
        }
        var scanned = 0
        func leaks() throws -> [String] {
            scanned = 0
            return try FileManager.default.contentsOfDirectory(atPath: bank.folder.path).sorted().filter { name in
                let bytes = Array(try Data(contentsOf: bank.folder.appendingPathComponent(name)))
                scanned += bytes.count
                return forms.contains { bytes.firstRange(of: $0) != nil }
            }
        }
        #expect(try leaks().isEmpty, "a file beside the bank holds a private key in clear")
        #expect(scanned > 100_000)
        // The positive control: a file holding one seed in hex is found by the same scan.
        try Data(("log line " + Hex.encode(seeds[1])).utf8).write(to: bank.folder.appendingPathComponent("decoy.txt"))
        #expect(try leaks() == ["decoy.txt"])
    }

    @Test func secretFilesAre0600AndLooseOnesAreRefused() throws {
        let bank = try TestBank()
        for suffix in [".secret", ".keypass"] {
            let mode = try FileManager.default.attributesOfItem(atPath: bank.dbPath + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(suffix) has mode \(String(mode ?? 0, radix: 8))")
        }
        chmod(bank.dbPath + ".keypass", 0o644)
        let error = expectCode(.secretInvalid) { _ = try TestBanks.open(sqlite: bank.dbPath) }
        #expect(error?.message.contains("chmod 600") == true && error?.field == bank.dbPath + ".keypass")
    }

    /// A social evaluator accredited for 电工 level 5 and a worker enrolled in its assessment.
    func candidateAwaitingResult(_ bank: TestBank) throws -> (Institution, PersonSummary, Assessment) {
        let evaluator = try bank.ledger.registration.registerInstitution(.init(name: "评价中心", kind: .social, code: TestBank.uscc("51440000MJ0000001"), province: "44"))
        _ = try bank.ledger.registration.accredit(evaluator.id, occupation: "6-31-01-03", levels: [5], from: CalendarDate(iso: "2020-01-01"))
        let person = try bank.person(1)
        let assessment = try bank.ledger.issuance.scheduleAssessment(institution: evaluator.id, occupation: "6-31-01-03", level: 5)
        try bank.ledger.issuance.enrolCandidate(assessment: assessment.id, person: person.id)
        return (evaluator, person, assessment)
    }

    @Test func aWrongPassphraseIsAClearErrorAndSignsNothing() throws {
        let bank = try TestBank()
        _ = try candidateAwaitingResult(bank)
        let before = try bank.snapshot()
        // Refused at open, before any command could sign, or make a key under the wrong passphrase.
        let error = expectCode(.secretInvalid) {
            _ = try TestBanks.open(sqlite: bank.dbPath, keyPassphrase: SecretBytes(Array("not the passphrase at all".utf8)))
        }
        #expect(error?.message.contains("does not open this bank's keys") == true && error?.field == "SKILLBANK_KEY_PASSPHRASE")
        #expect(try bank.snapshot() == before)
        // And a key that will not decrypt is refused where it is used, too.
        expectCode(.secretInvalid) {
            _ = try Ed25519PrivateKey(encryptedPEM: try bank.rawString("SELECT encrypted_pem FROM keys LIMIT 1")!,
                                      passphrase: SecretBytes(Array("not the passphrase at all".utf8)))
        }
        #expect(try bank.count("certificates") == 0 && bank.count("candidates", "status = 'passed'") == 0)
    }

    /// A bank opened for reading does not decrypt a key; signing and key-making still check
    /// the passphrase first, so a wrong one makes nothing that could never be opened again.
    @Test func openedForReadingAWrongPassphraseStillSignsNothing() throws {
        let bank = try TestBank()
        let (evaluator, person, assessment) = try candidateAwaitingResult(bank)
        let reader = try TestBanks.open(sqlite: bank.dbPath, keyPassphrase: SecretBytes(Array("not the passphrase at all".utf8)), checksKeyPassphrase: false).bank
        #expect(try reader.accounts.record(of: person.id).person.id == person.id)

        let before = try bank.snapshot()
        let keysBefore = try bank.count("keys")
        for attempt in [
            { _ = try reader.registration.registerInstitution(.init(name: "另一中心", kind: .employer, code: TestBank.uscc("91440300MA5F8R001"), province: "44")) },
            { _ = try reader.registration.rotateKey(of: evaluator.id) },
            { _ = try reader.issuance.recordResult(assessment: assessment.id, person: person.id, theory: 80, practical: 80) },
        ] as [() throws -> Void] {
            let error = expectCode(.secretInvalid, attempt)
            #expect(error?.message.contains("does not open this bank's keys") == true && error?.field == "SKILLBANK_KEY_PASSPHRASE")
        }
        #expect(try bank.snapshot() == before)
        #expect(try bank.count("keys") == keysBefore && bank.count("certificates") == 0)
    }
}
