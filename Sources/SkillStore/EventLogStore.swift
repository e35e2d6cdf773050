import SkillCore

/// The append-only events, the transparency log's stored nodes and its signed checkpoints.
///
/// One sequencer: `append` gives each event the next sequence number, contiguous and in
/// commit order, whatever number of writers the store has; leaf `seq - 1` of the log is that
/// event's leaf.
public protocol EventLogStore {
    /// Appends an event with its canonical bytes and, for a version-2 leaf, the commitment's salt
    /// and the commitment (see `StoredEvent`). The event's person, when its subjects name one,
    /// is kept beside it so an erasure can find the person's events.
    /// - Returns: its sequence number (1 for the first event).
    func append(_ event: LedgerEvent, canonical: [UInt8], salt: [UInt8]?, commitment: [UInt8]?) throws -> Int
    /// The ids of the events whose subjects name `person`, in order.
    func eventIDs(person: String) throws -> [String]
    /// Drops an event's body and salt, keeping `commitment` (what its leaf still proves): the
    /// only change an event ever takes, when its person is erased.
    func dropBody(of id: String, keeping commitment: [UInt8]) throws
    /// Events in order after `seq`, at most `limit`.
    func events(after seq: Int, limit: Int) throws -> [StoredEvent]
    /// The event with this id, or nil.
    func event(id: String) throws -> StoredEvent?
    /// The sequence number of the newest event (0 when there is none).
    func lastSequence() throws -> Int

    /// The hash of the perfect subtree at `level` and `index` (level 0: leaves), or nil.
    func node(level: Int, index: Int) throws -> [UInt8]?
    /// Stores the nodes a new leaf completes (the leaf and the parents it closes), in one write.
    func insertNodes(_ nodes: [(level: Int, index: Int, hash: [UInt8])]) throws
    /// All nodes of one level, in index order (the audit reads them a level at a time).
    func nodes(level: Int) throws -> [(index: Int, hash: [UInt8])]
    /// How many nodes are stored at all levels.
    func nodeCount() throws -> Int
    /// Leaves in the tree (the number of level-0 nodes).
    func leafCount() throws -> Int

    /// The signed note of the checkpoint at `size`, or nil.
    func checkpoint(size: Int) throws -> String?
    func insertCheckpoint(size: Int, root: [UInt8], note: String, at time: String) throws
    /// Every checkpoint, smallest first.
    func checkpoints() throws -> [(size: Int, root: [UInt8], note: String)]

    /// Calls `body` with every event in sequence order (the audit streams the whole ledger).
    func forEachEvent(_ body: (StoredEvent) throws -> Void) throws
}
