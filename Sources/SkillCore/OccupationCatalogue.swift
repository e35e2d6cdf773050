import Foundation
import Synchronization

/// One occupation (细类) of the whole 2022 catalogue, with what it is and does.
public struct CatalogueOccupation: Sendable, Codable, Hashable {
    public let code: String
    /// The name without the edition's digital/green markers (those are `flags`).
    public let name: String
    /// `digital` (数字职业), `green` (绿色职业).
    public let flags: [String]?
    /// 职业定义 (one occupation of the edition has none).
    public let definition: String?
    /// 主要工作任务, in order.
    public let tasks: [String]?
    /// Common names people search by.
    public let aliases: [String]?
    public let source: String
    public let status: Provenance

    /// The codes of its major (大类), middle (中类) and small (小类) groups.
    public var groupCodes: [String] {
        let p = code.split(separator: "-").map(String.init)
        guard p.count == 4 else { return [] }
        return ["\(p[0])-00-00-00", "\(p[0])-\(p[1])-00-00", "\(p[0])-\(p[1])-\(p[2])-00"]
    }
}

/// A major (1), middle (2) or small (3) group of the catalogue.
public struct CatalogueGroup: Sendable, Codable, Hashable {
    public let code: String
    public let level: Int
    public let name: String
    public let source: String
    public let status: Provenance
}

/// Where the catalogue's rows come from.
public struct CatalogueSource: Sendable, Codable, Hashable {
    public let id: String
    public let title: String
    public let url: String
    public let licence: String
    public let sha256: String
}

/// The whole 2022 occupation catalogue (`Standards/occupation-catalogue.json`): 1,634
/// occupations with definitions, tasks and aliases, and their groups. It describes; it does not
/// decide (which occupations and levels the registry assesses is `occupations.json`).
///
/// The file is about 1.4 MB, so it is decoded on first use, not each time a bank opens: most
/// commands never read it.
public final class OccupationCatalogue: Sendable {
    struct Contents: Sendable {
        let sources: [CatalogueSource]
        let groups: [CatalogueGroup]
        let occupations: [CatalogueOccupation]
        let byCode: [String: Int]
        let groupsByCode: [String: CatalogueGroup]
    }

    private struct Document: Decodable {
        let sources: [CatalogueSource]
        let groups: [CatalogueGroup]
        let rows: [CatalogueOccupation]
    }

    private let bytes: [UInt8]?
    private let decoded = Mutex<Contents?>(nil)

    /// A catalogue read from the file's bytes (already checked against its schema), or an empty
    /// one for a bank made before the catalogue existed.
    public init(bytes: [UInt8]?) { self.bytes = bytes }

    /// Decodes the bytes now.
    /// - Throws: `standards.schema-violation` when they do not decode.
    func decode() throws(SkillError) -> Contents {
        if let done = decoded.withLock({ $0 }) { return done }
        var contents = Contents(sources: [], groups: [], occupations: [], byCode: [:], groupsByCode: [:])
        if let bytes {
            let document: Document
            do { document = try JSONDecoder().decode(Document.self, from: Data(bytes)) } catch {
                throw SkillError(.standardsSchema, "cannot decode the occupation catalogue", field: "occupation-catalogue.json", cause: "\(error)")
            }
            contents = Contents(
                sources: document.sources, groups: document.groups, occupations: document.rows,
                byCode: Dictionary(document.rows.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a }),
                groupsByCode: Dictionary(document.groups.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a }))
        }
        decoded.withLock { $0 = contents }
        return contents
    }

    /// The decoded contents; a catalogue that was checked when it was loaded cannot fail here,
    /// so a failure reads as an empty catalogue.
    private var contents: Contents {
        (try? decode()) ?? Contents(sources: [], groups: [], occupations: [], byCode: [:], groupsByCode: [:])
    }

    /// Whether the bank has a catalogue (banks made before it have none).
    public var isEmpty: Bool { bytes == nil }
    public var sources: [CatalogueSource] { contents.sources }
    public var occupations: [CatalogueOccupation] { contents.occupations }
    public var groups: [CatalogueGroup] { contents.groups }

    /// The occupation with `code`, or nil.
    public func occupation(_ code: String) -> CatalogueOccupation? {
        let c = contents
        return c.byCode[code].map { c.occupations[$0] }
    }

    /// The group with `code`, or nil.
    public func group(_ code: String) -> CatalogueGroup? { contents.groupsByCode[code] }

    /// Occupations whose code, name or an alias contains `query` (case-insensitive), names
    /// first, in catalogue order.
    public func search(_ query: String, limit: Int = 50) -> [CatalogueOccupation] {
        let q = query.trimmingSpaces.lowercased()
        guard !q.isEmpty else { return [] }
        let all = contents.occupations
        let byName = all.filter { $0.code.hasPrefix(q) || $0.name.lowercased().contains(q) }
        let names = Set(byName.map(\.code))
        let byAlias = all.filter { o in !names.contains(o.code) && (o.aliases ?? []).contains { $0.lowercased().contains(q) } }
        return Array((byName + byAlias).prefix(limit))
    }
}
