import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillTestSupport
import Testing

@Suite struct BundleTests {
    @Test func bundleVerifiesOfflineAndStatesItsCheckpointTime() throws {
        let b = try IssuedBank()
        let text = try b.ledger.certificates.export(b.certificate.id, format: .bundle)
        let bundle = try JSONParser().parse(text)
        // Nothing but the file: a verifier with no trust list of its own.
        let report = CredentialVerifier(trustList: nil).verify(text: text)
        #expect(report.isValid, "\(report.reasons)")
        #expect(report.checks.map(\.name).contains("log:inclusion"))
        let stamp = try #require(report.summary["checkpoint_time"])
        #expect(Timestamp.parse(stamp) != nil)
        #expect(CertificateBundle.verify(bundle, maxAge: 3_600).isValid)
        // Without its type it is not a bundle, however valid the rest.
        var untyped = bundle.objectValue!
        untyped["type"] = "SkillBankCertificateBundIe"
        #expect(CertificateBundle.verify(.object(untyped)).reasons == [.malformed])
        #expect(CertificateBundle.verify(bundle, at: Date().addingTimeInterval(8 * 86_400), maxAge: 7 * 86_400).reasons == [.checkpointTooOld])

        // Revoked after the bundle was made: the bundle's own lists still say active, and the
        // report says as of when, so a verifier can demand something fresher.
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .revoke, reason: "after the bundle")
        let stale = CertificateBundle.verify(bundle)
        #expect(stale.isValid && stale.summary["checkpoint_time"] == stamp)
        let fresh = try JSONParser().parse(try b.ledger.certificates.export(b.certificate.id, format: .bundle))
        #expect(CertificateBundle.verify(fresh).reasons == [.revoked])
        // A verifier holding the registry's current lists (its verify route, `verify --bank`) is not
        // outvoted by the stale bundle: the newer list counts. The log proof is still the bundle's.
        let current = CredentialVerifier(trustList: try b.ledger.registration.trustList(), statusLists: try b.ledger.certificates.allStatusLists())
        let judged = current.verify(document: bundle)
        #expect(judged.reasons == [.revoked] && judged.checks.contains { $0.name == "log:inclusion" && $0.passed })
        // …and an older list given to the verifier does not outvote a newer one in a bundle.
        let before = CredentialVerifier(trustList: try b.ledger.registration.trustList(), statusLists: try JSONParser().parse(try b.ledger.certificates.export(b.certificate.id, format: .bundle))["status_lists"]?.arrayValue ?? [])
        #expect(before.verify(document: fresh).reasons == [.revoked])

        // Tampering with the log parts is caught.
        guard case .object(var members) = bundle else { return }
        members["issuance_event"] = .string(bundle["issuance_event"]!.stringValue!.replacingOccurrences(of: "\"level\":4", with: "\"level\":3"))
        #expect(CertificateBundle.verify(.object(members)).reasons.contains(.logProofInvalid))
        members = bundle.objectValue!
        members["checkpoint"] = .string(bundle["checkpoint"]!.stringValue!.replacingOccurrences(of: "skillbank-registry/log\n", with: "skillbank-registry/log2\n"))
        #expect(CertificateBundle.verify(.object(members)).reasons.contains(.logProofInvalid))
        #expect(throws: SkillError.self) { try b.ledger.certificates.export(b.certificate.id, format: .bundle, withName: true) }
    }

    /// A bundle proved from a mirror's tiles: inclusion in the newer tree, and that tree extends
    /// the bundle's own checkpoint (both signatures checked against the bundle's trust list).
    @Test func aBundleProvedFromTilesShowsTheNewerTreeExtendsItsOwn() throws {
        let b = try IssuedBank()
        let stale = try ScratchFolder.make("tiles-stale")
        _ = try b.ledger.log.exportTiles(to: stale.path)
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .suspend, reason: "events after the stale tiles")
        let bundle = try JSONParser().parse(try b.ledger.certificates.export(b.certificate.id, format: .bundle))
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .reinstate, reason: "events after the bundle")
        let tiles = try ScratchFolder.make("tiles")
        let export = try b.ledger.log.exportTiles(to: tiles.path)
        let proved = try CertificateBundle.provedFromTiles(bundle, read: LogTiles.directoryReader(tiles.path))
        #expect(proved["inclusion_proof"]?["tree_size"]?.intValue == export.size && proved["earlier_checkpoint"] == bundle["checkpoint"])
        let report = CertificateBundle.verify(proved)
        #expect(report.reasons == [.suspended], "the bundle's own status lists say suspended: \(report.checks)")
        #expect(report.checks.contains { $0.name == "log:consistency" && $0.passed })

        // A proof that does not hold, or an earlier checkpoint that is not the registry's, fails.
        var members = try #require(proved.objectValue)
        var path = try #require(proved["consistency_proof"]?.arrayValue)
        #expect(!path.isEmpty)
        path[0] = .string(String(repeating: "0", count: 64))
        members["consistency_proof"] = .array(path)
        #expect(CertificateBundle.verify(.object(members)).reasons == [.suspended, .logProofInvalid])
        members = try #require(proved.objectValue)
        members["earlier_checkpoint"] = .string(bundle["checkpoint"]!.stringValue!.replacingOccurrences(of: "skillbank-registry/log\n", with: "skillbank-registry/log2\n"))
        #expect(CertificateBundle.verify(.object(members)).reasons == [.suspended, .logProofInvalid])
        // An export never puts an older checkpoint over a newer one a mirror already has.
        let newer = "skillbank-registry/log\n1000000\n" + Data(repeating: 1, count: 32).base64EncodedString() + "\n\n— skillbank-registry/log AAAA\n"
        try Data(newer.utf8).write(to: tiles.appendingPathComponent("checkpoint"))
        _ = try b.ledger.log.exportTiles(to: tiles.path)
        #expect(try String(contentsOf: tiles.appendingPathComponent("checkpoint"), encoding: .utf8) == newer)
        // Tiles older than the bundle cannot vouch for it.
        let older = #expect(throws: SkillError.self) { try CertificateBundle.provedFromTiles(bundle, read: LogTiles.directoryReader(stale.path)) }
        #expect(older?.code == .invalidField && older?.field == "checkpoint")
    }
}
