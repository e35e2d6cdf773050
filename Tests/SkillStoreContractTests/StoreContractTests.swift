import Foundation
import SkillCore
import SkillCredentials
import SkillLedger
import SkillStore
import Synchronization
import Testing

/// One contract every store must pass: what makes an implementation a store. Each test runs
/// against every kind in `StoreUnderTest.all`.
@Suite struct UnitOfWorkContract {
    struct Refused: Error {}

    @Test(arguments: StoreUnderTest.all)
    func aUnitOfWorkThatThrowsLeavesNothing(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        #expect(throws: SkillError.self) {
            try store.write { tx in
                _ = try tx.log.append(sampleEvent(1), canonical: try sampleEvent(1).canonicalBytes(), salt: nil, commitment: nil)
                try tx.meta.insertValue("x", for: "half-written")
                throw Refused()
            }
        }
        try store.read { tx throws in
            #expect(try tx.log.lastSequence() == 0)
            #expect(try tx.meta.value("half-written") == nil)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func aNestedUnitRollsBackOnlyItsOwnWrites(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        try store.write { tx in
            try tx.meta.insertValue("kept", for: "before")
            var refused = false
            do {
                try tx.nested {
                    try tx.meta.insertValue("undone", for: "inside")
                    throw Refused()
                }
            } catch is Refused {
                refused = true
            }
            #expect(refused, "the nested unit's error reaches its caller")
            try tx.nested { try tx.meta.insertValue("kept", for: "after") }
        }
        try store.read { tx throws in
            #expect(try tx.meta.value("before") == "kept" && tx.meta.value("after") == "kept")
            #expect(try tx.meta.value("inside") == nil)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func theChangeVersionMovesOnEveryCommitAndOnlyThen(_ kind: StoreUnderTest) throws {
        let (store, reopen) = try kind.make()
        let first = try store.changeVersion()
        _ = try store.read { tx in try tx.log.lastSequence() }
        #expect(try store.changeVersion() == first, "a read is not a change")
        try store.write { tx in try tx.meta.insertValue("1", for: "own") }
        let afterOwn = try store.changeVersion()
        #expect(afterOwn != first)
        // A commit through another handle on the same store (another process, for a server).
        let other = try reopen()
        try other.write { tx in try tx.meta.insertValue("1", for: "other") }
        #expect(try store.changeVersion() != afterOwn)
    }
}

@Suite struct EventLogContract {
    @Test(arguments: StoreUnderTest.all)
    func eventsAreSequencedContiguouslyAndReadBackAsWritten(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        let events = (1...25).map { sampleEvent($0) }
        let seqs = try store.write { tx in try events.map { try tx.log.append($0, canonical: try $0.canonicalBytes(), salt: nil, commitment: nil) } }
        #expect(seqs == Array(1...25))
        // A unit of work that rolls back gives its numbers back: the next event is 26, not a gap.
        _ = try? store.write { tx in
            _ = try tx.log.append(sampleEvent(99), canonical: try sampleEvent(99).canonicalBytes(), salt: nil, commitment: nil)
            throw UnitOfWorkContract.Refused()
        }
        let next = try store.write { tx in try tx.log.append(sampleEvent(26), canonical: try sampleEvent(26).canonicalBytes(), salt: nil, commitment: nil) }
        #expect(next == 26)
        try store.read { tx throws in
            let stored = try tx.log.events(after: 0, limit: 100)
            #expect(stored.map(\.seq) == Array(1...26))
            for (event, row) in zip(events, stored) {
                #expect(row.id == event.id && row.type == event.type && row.occurredAt == event.time && row.actor == event.actor)
                #expect(row.canonical == (try event.canonicalBytes()))
            }
            #expect(try tx.log.events(after: 20, limit: 3).map(\.seq) == [21, 22, 23])
            #expect(try tx.log.event(id: events[4].id)?.seq == 5)
            #expect(try tx.log.event(id: "evt_missing") == nil)
            var streamed: [Int] = []
            try tx.log.forEachEvent { streamed.append($0.seq) }
            #expect(streamed == Array(1...26))
        }
    }

    /// What the store keeps is the RFC 9162 tree of the leaves, whatever the units of work, and
    /// a nested unit that rolls back takes its nodes with it.
    @Test(arguments: StoreUnderTest.all)
    func storedNodesMatchAnInMemoryTree(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        var leaves: [[UInt8]] = []
        func append(_ tx: any StoreTransaction, _ n: Int) throws {
            let event = sampleEvent(n)
            let canonical = try event.canonicalBytes()
            try TransparencyLog.appendLeaf(tx, index: try tx.log.append(event, canonical: canonical, salt: nil, commitment: nil) - 1, data: canonical)
            leaves.append(canonical)
        }
        try store.write { tx in for n in 0..<40 { try append(tx, n) } }
        for n in 40..<45 { try store.write { tx in try append(tx, n) } }
        try store.write { tx in
            let kept = leaves.count
            _ = try? tx.nested {
                for n in 1_000..<1_003 { try append(tx, n) }
                throw UnitOfWorkContract.Refused()
            }
            leaves.removeLast(leaves.count - kept)
            for n in 45..<64 { try append(tx, n) }
        }
        let reference = InMemoryMerkleTree(leafHashes: leaves.map(MerkleTree.leafHash))
        try store.read { tx throws in
            let nodes = StoredLogNodes(log: tx.log)
            #expect(try tx.log.leafCount() == 64)
            #expect(try tx.log.nodeCount() == 64 + 32 + 16 + 8 + 4 + 2 + 1)
            for size in [1, 2, 3, 5, 13, 40, 41, 45, 63, 64] {
                #expect(try MerkleTree.root(nodes, size: size) == MerkleTree.root(reference, size: size), "size \(size)")
            }
            for index in [0, 7, 40, 63] {
                #expect(try MerkleTree.inclusionProof(nodes, index: index, size: 64) == MerkleTree.inclusionProof(reference, index: index, size: 64))
            }
            #expect(try tx.log.nodes(level: 0).map(\.hash) == reference.leafHashes)
        }
    }

    @Test(arguments: StoreUnderTest.all)
    func checkpointsAreKeptBySize(_ kind: StoreUnderTest) throws {
        let (store, _) = try kind.make()
        try store.write { tx in
            try tx.log.insertCheckpoint(size: 3, root: [UInt8](repeating: 1, count: 32), note: "three", at: "2026-12-01T00:00:00Z")
            try tx.log.insertCheckpoint(size: 1, root: [UInt8](repeating: 2, count: 32), note: "one", at: "2026-12-01T00:00:00Z")
        }
        try store.read { tx throws in
            #expect(try tx.log.checkpoint(size: 3) == "three" && tx.log.checkpoint(size: 2) == nil)
            #expect(try tx.log.checkpoints().map(\.size) == [1, 3])
            #expect(try tx.log.checkpoints().first?.root == [UInt8](repeating: 2, count: 32))
        }
    }
}

@Suite struct SerialContract {
    /// Writers on two handles of one store (as two processes would be) allocate serials of one
    /// prefix at the same time: every serial is handed out once, none is skipped.
    @Test(arguments: StoreUnderTest.all)
    func serialsAreNeverReusedUnderConcurrentWriters(_ kind: StoreUnderTest) throws {
        let (store, reopen) = try kind.make()
        let handles = [store, try reopen()]
        let taken = Mutex<[Int]>([])
        let failures = Mutex<[String]>([])
        let threads = (0..<4).map { t in
            Thread {
                for _ in 0..<50 {
                    do {
                        let serial = try handles[t % 2].write { tx in
                            let next = try CertificateNumbering.nextSerial(after: try tx.certificates.lastSerial(prefix: "S000144"), prefix: "S000144")
                            try tx.certificates.setLastSerial(next, prefix: "S000144")
                            return next
                        }
                        taken.withLock { $0.append(serial) }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(2_000) }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(3) })")
        #expect(taken.withLock { $0.sorted() } == Array(1...200))
        #expect(try store.read { tx in try tx.certificates.lastSerial(prefix: "S000144") } == 200)
    }
}
