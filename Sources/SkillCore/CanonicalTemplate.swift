/// RFC 8785 canonical JSON with gaps: the canonical text of a document whose variable strings
/// hold markers, split at the markers. Documents that differ only in those parts are then
/// written by copying the fixed text and escaping the new parts.
///
/// This gives the same bytes as canonicalising each document whole: member order depends on
/// member names only, and a string's canonical text is its characters, each written on its own
/// (a fixed escape or the character itself, §3.2.2.2), so a part can be escaped apart from the
/// rest of its string.
public struct CanonicalTemplate: Sendable {
    /// The fixed text: one piece more than there are gaps.
    private let pieces: [[UInt8]]
    /// For each gap, the index of the marker (and value) that fills it.
    private let gaps: [Int]
    /// Where a member would be added, when the template was made with an insertion point.
    private let insertion: (piece: Int, offset: Int, name: String, hasBefore: Bool, hasAfter: Bool)?

    /// `count` markers no document holds by chance: a private-use character, a random 64-bit
    /// nonce and the marker's number, another private-use character. JCS writes them unescaped.
    public static func markers(_ count: Int) -> [String] {
        let nonce = String(UInt64.random(in: .min ... .max), radix: 16)
        return (0..<count).map { "\u{E000}\(nonce)-\($0)\u{E001}" }
    }

    /// Canonicalises `document`, which holds `markers` inside some of its strings.
    /// - Parameters:
    ///   - markers: from `markers(_:)`; each may occur any number of times, or not at all.
    ///   - name: a member the top-level object lacks, to note where `filling` output takes it
    ///     (see `JSONValue.CanonicalObject`).
    /// - Throws: as `JSONValue.canonicalBytes()` and `canonicalObject(insertionPointFor:)`.
    public init(_ document: JSONValue, markers: [String], insertionPointFor name: String? = nil) throws(SkillError) {
        var whole: [UInt8]
        var point: JSONValue.CanonicalObject?
        if let name {
            point = try document.canonicalObject(insertionPointFor: name)
            whole = point!.bytes
        } else {
            whole = try document.canonicalBytes()
        }
        let patterns = markers.map { Array($0.utf8) }
        var pieces: [[UInt8]] = []
        var gaps: [Int] = []
        var insertion: (piece: Int, offset: Int, name: String, hasBefore: Bool, hasAfter: Bool)?
        var start = 0
        var i = 0
        while i < whole.count {
            // Every marker starts with U+E000 (EE 80 80); other text rarely has an EE byte.
            if whole[i] == 0xEE, let m = patterns.firstIndex(where: { whole[i...].starts(with: $0) }) {
                pieces.append(Array(whole[start..<i]))
                gaps.append(m)
                i += patterns[m].count
                start = i
            } else {
                if let point, point.offset == i { insertion = (pieces.count, i - start, point.name, point.hasBefore, point.hasAfter) }
                i += 1
            }
        }
        if let point, point.offset == whole.count { insertion = (pieces.count, whole.count - start, point.name, point.hasBefore, point.hasAfter) }
        pieces.append(Array(whole[start...]))
        self.pieces = pieces
        self.gaps = gaps
        self.insertion = insertion
    }

    /// The canonical bytes with the gaps of marker `m` filled by `values[m]`.
    public func filling(_ values: [String]) -> [UInt8] { fill(values).bytes }

    /// The filled canonical object, and where the member named when the template was made goes.
    /// - Precondition: the template was made with `insertionPointFor:`.
    public func fillingObject(_ values: [String]) -> JSONValue.CanonicalObject {
        let (bytes, offset) = fill(values)
        let point = insertion!
        return JSONValue.CanonicalObject(bytes: bytes, name: point.name, offset: offset!, hasBefore: point.hasBefore, hasAfter: point.hasAfter)
    }

    private func fill(_ values: [String]) -> (bytes: [UInt8], insertionOffset: Int?) {
        var out: [UInt8] = []
        out.reserveCapacity(pieces.reduce(0) { $0 + $1.count } + values.reduce(0) { $0 + $1.utf8.count } * 2)
        var offset: Int?
        for (p, piece) in pieces.enumerated() {
            if let insertion, insertion.piece == p { offset = out.count + insertion.offset }
            out.append(contentsOf: piece)
            if p < gaps.count { JSONValue.appendEscaped(values[gaps[p]], to: &out) }
        }
        return (out, offset)
    }
}
