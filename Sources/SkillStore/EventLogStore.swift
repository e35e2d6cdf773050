import SkillCore

/// The append-only events, the transparency log's stored nodes and its signed checkpoints.
///
/// One sequencer: `append` gives each event the next sequence number, contiguous and in
/// commit order, whatever number of writers the store has; leaf `seq - 1` of the log is that
/// event's leaf.
public protocol EventLogStore {
    /// Appends events, in order, all in one write (see `NewEvent`). Each event's person, when
    /// its subjects name one, is kept beside it so an erasure can find the person's events.
    /// - Returns: the first one's sequence number (1 for the first event); the others follow it.
    func append(_ events: [NewEvent]) throws -> Int
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

/// An event to append: its canonical bytes and, for a version-2 leaf, the commitment's salt and
/// the commitment (see `StoredEvent`).
public struct NewEvent: Sendable {
    public let event: LedgerEvent
    public let canonical: [UInt8]
    public let salt: [UInt8]?
    public let commitment: [UInt8]?

    public init(_ event: LedgerEvent, canonical: [UInt8], salt: [UInt8]?, commitment: [UInt8]?) {
        self.event = event
        self.canonical = canonical
        self.salt = salt
        self.commitment = commitment
    }
}

extension EventLogStore {
    /// Appends one event.
    /// - Returns: its sequence number.
    public func append(_ event: LedgerEvent, canonical: [UInt8], salt: [UInt8]?, commitment: [UInt8]?) throws -> Int {
        try append([NewEvent(event, canonical: canonical, salt: salt, commitment: commitment)])
    }
}
