import Foundation
import GRDB
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillLedger
import Testing

@Suite struct TransparencyLogTests {
    @Test func everyEventIsALeafAndProofsVerifyAgainstSignedCheckpoints() throws {
        let b = try IssuedBank()
        let events = try b.ledger.log.events(limit: 100_000)
        #expect(try b.ledger.log.size() == events.count)
        let note = try b.ledger.log.checkpoint()
        let verifier = try b.ledger.log.verifierKey()
        let checkpoint = try Checkpoint(text: try SignedNote.open(note, verifiers: [verifier]).text)
        #expect(checkpoint.size == events.count && checkpoint.origin == b.ledger.log.origin)
        for e in events {
            let proof = try b.ledger.log.inclusionProof(event: e.id)
            // Each leaf is a commitment to its event: the event and its salt make it, the event alone does not.
            #expect(proof.leafHash == MerkleTree.leafHash(EventLeaf.data(canonical: e.canonical, salt: e.salt)))
            #expect(proof.leafHash != MerkleTree.leafHash(e.canonical) && e.salt?.count == 16)
            #expect(MerkleTree.verifyInclusion(leafIndex: proof.leafIndex, treeSize: proof.treeSize, leafHash: proof.leafHash, proof: proof.path, root: checkpoint.rootHash))
        }
        let byCertificate = try b.ledger.log.inclusionProof(certificate: b.certificate.number)
        #expect(events[byCertificate.leafIndex].type == "certificate.issued")
        // The tree grows; the old checkpoint is consistent with the new one.
        _ = try b.ledger.certificates.changeStatus(of: b.certificate.id, .suspend)
        let later = try Checkpoint(text: try SignedNote.open(try b.ledger.log.checkpoint(), verifiers: [verifier]).text)
        let consistency = try b.ledger.log.consistencyProof(from: checkpoint.size, to: later.size)
        #expect(MerkleTree.verifyConsistency(first: checkpoint.size, second: later.size, firstRoot: checkpoint.rootHash, secondRoot: later.rootHash, proof: consistency.path))
        #expect(try b.ledger.log.checkpoint() == (try b.ledger.log.checkpoint()))  // no growth, same note
        #expect(try b.ledger.log.checkpointSizes().count == 2)
        let audit = try b.ledger.log.audit()
        #expect(audit.isClean && audit.checkpoints == 2)
    }

    @Test func leavesNeverHoldNamesOrIDNumbers() throws {
        let b = try IssuedBank()
        _ = try b.ledger.conversions.apply(person: b.person.id, rule: "cert-academic-gdpt-electrician")
        let clear = try b.ledger.registration.revealPerson(b.person.id)
        for e in try b.ledger.log.events(limit: 100_000) {
            let text = String(decoding: e.canonical, as: UTF8.self)
            #expect(!text.contains(clear.name) && !text.contains(clear.idNumber), "\(e.type)")
        }
    }

    /// Edits, deletions and insertions made directly in SQLite are each found and named.
    @Test(arguments: [
        ("edit an event", "DROP TRIGGER events_no_update; UPDATE events SET canonical = CAST('{}' AS BLOB) WHERE seq = 5", "events.commitment", 4),
        ("edit an event with its commitment", "DROP TRIGGER events_no_update; UPDATE events SET salt = zeroblob(16), commitment = zeroblob(32) WHERE seq = 6", "events.commitment", 5),
        ("delete an event", "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 7", "events", 6),
        ("edit a leaf", "UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 3", "events", 3),
        ("delete the last leaf", "DELETE FROM log_nodes WHERE level = 0 AND idx = (SELECT max(idx) FROM log_nodes WHERE level = 0)", "log_nodes", -1),
        ("insert a leaf", "INSERT INTO log_nodes(level, idx, hash) VALUES (0, 100000, zeroblob(32))", "log_nodes", 100000),
        ("edit an inner node", "UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 1", "log_nodes", 1),
        ("edit a checkpoint root", "UPDATE checkpoints SET root = zeroblob(32)", "checkpoints", 0),
        ("rewrite a checkpoint note", "UPDATE checkpoints SET note = replace(note, 'registry', 'registri')", "checkpoints", 0),
    ])
    func tamperingIsNamed(_ what: String, _ sql: String, _ table: String, _ index: Int) throws {
        let b = try IssuedBank()
        _ = try b.ledger.log.checkpoint()
        #expect(try b.ledger.log.audit().isClean)
        let size = try b.ledger.log.size()
        try b.bank.rawWrite(sql)
        let report = try b.ledger.log.audit()
        #expect(!report.isClean, "\(what)")
        #expect(report.divergence?.table == table, "\(what): \(String(describing: report.divergence))")
        #expect(report.divergence?.index == (index == -1 ? size - 1 : index), "\(what): \(String(describing: report.divergence))")
    }
}

@Suite struct LogOriginTests {
    @Test func originIsDerivedFromTheRegistryNameOrConfigured() {
        #expect(Bank.Configuration(besideDatabase: "x").effectiveLogOrigin == "skillbank-registry/log")
        #expect(Bank.Configuration(besideDatabase: "x", registryName: "广东 Skills Bank!").effectiveLogOrigin == "广东-skills-bank/log")
        #expect(Bank.Configuration(besideDatabase: "x", logOrigin: "log.example.cn/skills").effectiveLogOrigin == "log.example.cn/skills")
    }
}
