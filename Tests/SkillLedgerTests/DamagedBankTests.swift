import Foundation
import GRDB
import SkillCore
import SkillLedger
import Testing

/// A bank whose stored log has lost rows: every path that reads it names the damage
/// (`log.node-missing` with the level and index, or an audit divergence) and nothing crashes.
@Suite struct DamagedBankTests {
    /// A bank with an issued certificate and four log nodes deleted, among them the
    /// certificate's leaf (the case that used to recurse until the stack ran out).
    static func damaged() throws -> (bank: TestBank, certificate: CertificateSummary) {
        let b = try IssuedBank()
        let leaf = try #require(try b.ledger.log.inclusionProof(certificate: b.certificate.id).leafIndex)
        try b.bank.rawWrite("""
            DELETE FROM log_nodes WHERE (level = 0 AND idx IN (\(leaf), 0, 1)) OR (level = 1 AND idx = 0)
            """)
        return (b.bank, b.certificate)
    }

    @Test func proofsAndCheckpointsNameTheMissingNode() throws {
        let (bank, certificate) = try Self.damaged()
        let error = expectCode(.logNodeMissing) { _ = try bank.ledger.log.inclusionProof(certificate: certificate.id) }
        #expect(error?.message.contains("level 0") == true)
        expectCode(.logNodeMissing) { _ = try bank.ledger.log.consistencyProof(from: 1, to: try bank.ledger.log.size()) }
        expectCode(.logNodeMissing) { _ = try bank.ledger.certificates.bundle(certificate.id) }
    }

    @Test func theAuditNamesTheFirstMissingRow() throws {
        let (bank, _) = try Self.damaged()
        let report = try bank.ledger.log.audit()
        #expect(!report.isClean)
        #expect(report.divergence?.table == "events" && report.divergence?.index == 0)
    }

    /// A new event cannot be appended on top of a missing left sibling: the write is refused
    /// whole, with the node named, and nothing of it stays.
    @Test func aWriteThatNeedsAMissingNodeIsRefusedWhole() throws {
        let b = try TestBank()
        _ = try b.school()
        if try b.count("events") % 2 == 0 { _ = try b.person(99) }
        // The next leaf has an odd index: its left sibling, the last leaf, is gone.
        let last = try b.count("events") - 1
        try b.rawWrite("DELETE FROM log_nodes WHERE level = 0 AND idx = \(last)")
        let before = try b.snapshot()
        let error = expectCode(.logNodeMissing) { _ = try b.person(1) }
        #expect(error?.message.contains("index \(last)") == true)
        #expect(try b.snapshot() == before)
    }

    /// Every column that repeats the canonical event is checked: an edit of any is named.
    @Test(arguments: ["id", "type", "occurred_at", "actor"])
    func anEditedEventColumnIsNamed(_ column: String) throws {
        let b = try TestBank()
        _ = try b.school()
        try b.rawDamage("DROP TRIGGER events_no_update; UPDATE events SET \(column) = \(column) || 'x' WHERE seq = 3")
        let report = try b.ledger.log.audit()
        #expect(report.divergence?.table == "events.\(column)" && report.divergence?.index == 2)
        #expect(report.divergence?.message.contains("seq 3") == true)
    }
}
