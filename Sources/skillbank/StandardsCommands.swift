import ArgumentParser
import Foundation
import SkillCore
import SkillCrypto
import SkillLedger

struct StandardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standards", abstract: "Inspect and validate the Standards data (levels, occupations, frameworks…).",
        subcommands: [List.self, Show.self, Validate.self])

    /// The bank's Standards when the database exists, else the Standards folder.
    static func load(_ global: GlobalOptions, dir: String?) throws(SkillError) -> Standards {
        if let dir { return try Standards.load(directory: URL(fileURLWithPath: dir)) }
        if FileManager.default.fileExists(atPath: global.databasePath) {
            return try global.openBank().standards
        }
        guard let found = global.configuration.standardsDirectory ?? StandardsLocator.find() else {
            throw SkillError(.standardsMissing, "no bank and no Standards folder found; pass --dir")
        }
        return try Standards.load(directory: found)
    }

    static func counts(_ rows: [Provenance]) -> String {
        Provenance.allCases.map { p in "\(rows.filter { $0 == p }.count) \(p.rawValue)" }.joined(separator: ", ")
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the Standards files with row counts by provenance.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Read this Standards folder instead of the bank's.") var dir: String?

        func run() throws {
            let output = Output(json: global.json)
            do {
                let s = try StandardsCommand.load(global, dir: dir)
                let rows: [(String, [Provenance])] = [
                    ("levels", s.levels.map(\.status)), ("occupations", s.occupations.map(\.status)),
                    ("credential-types", s.credentialTypes.map(\.status)), ("certificate-number-schemes", s.numberSchemes.map(\.status)),
                    ("provinces", s.provinces.map(\.status)), ("frameworks", s.frameworks.map(\.status)), ("crosswalk", s.crosswalk.map(\.status)),
                    ("dual-certificates", s.dualMappings.map(\.status)), ("assessment-rules", s.assessmentRules.map(\.status)),
                    ("conversion-rules", s.conversion.rules.map(\.status) + s.conversion.programmes.map(\.status)),
                ]
                let shas = Dictionary(s.files.map { ($0.name, Hex.encode(SHA256.hash($0.data))) }, uniquingKeysWith: { a, _ in a })
                try output.emit(.array(rows.map { name, statuses in
                    var counts: [String: JSONValue] = [:]
                    for p in Provenance.allCases { counts[p.rawValue] = .int(statuses.filter { $0 == p }.count) }
                    return ["name": .string(name), "rows": .int(statuses.count), "provenance": .object(counts), "sha256": .optional(shas[name])]
                })) {
                    Table.render(["NAME", "ROWS", "PROVENANCE", "SHA-256"], rows.map { name, statuses in
                        [name, String(statuses.count), StandardsCommand.counts(statuses), String((shas[name] ?? "").prefix(16))]
                    })
                }
            } catch {
                throw output.fail(error)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print one Standards file (levels, occupations, credential-types, …).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file name without .json.") var name: String
        @Option(help: "Read this Standards folder instead of the bank's.") var dir: String?

        func run() throws {
            let output = Output(json: global.json)
            do {
                let s = try StandardsCommand.load(global, dir: dir)
                guard let file = s.files.first(where: { $0.name == name }) else {
                    throw SkillError(.standardNotFound, "no Standards file '\(name.prefix(40))'; known: \(Standards.fileNames.joined(separator: ", "))")
                }
                let value = try JSONParser().parse(file.data)
                try output.emit(value) { Self.human(name, s) ?? ((try? value.prettyString()) ?? "") }
            } catch {
                throw output.fail(error)
            }
        }

        static func human(_ name: String, _ s: Standards) -> String? {
            switch name {
            case "levels":
                Table.render(["RANK", "CODE", "DISPLAY", "ENGLISH", "HIGH-SKILL", "STATUS"], s.levels.map {
                    [String($0.rank), $0.fiveLevelCode.map(String.init) ?? "-", $0.display, $0.en, $0.isHighSkill ? "yes" : "no", $0.status.rawValue]
                })
            case "occupations":
                Table.render(["CODE", "职业", "ENGLISH", "LEVELS", "工种", "STATUS"], s.occupations.map {
                    [$0.code, $0.zh, $0.en ?? "", $0.levels.map(String.init).joined(separator: ","),
                     $0.workTypes.map(\.zh).joined(separator: ",").isEmpty ? "--" : $0.workTypes.map(\.zh).joined(separator: ","), $0.status.rawValue]
                })
            case "frameworks":
                Table.render(["ID", "KIND", "LEVELS", "HOURS/CREDIT", "STATUS", "NAME"], s.frameworks.map {
                    [$0.id, $0.kind, String($0.levels.count),
                     $0.hoursPerCredit.map { h in "\(Int(h.value)) (\(h.status.rawValue))" } ?? "-", $0.status.rawValue, $0.en]
                }) + "\ndefault for courses: \(s.defaultFrameworkID): \(s.defaultFrameworkReason)"
            case "credential-types":
                Table.render(["ID", "名称", "LEVELED", "ISSUERS", "STATUS"], s.credentialTypes.map {
                    [$0.id, $0.zh, $0.leveled ? "yes" : "no", $0.issuerKinds.joined(separator: ","), $0.status.rawValue]
                })
            case "certificate-number-schemes":
                Table.render(["ID", "LENGTH", "GENERATES", "PARTS", "STATUS", "PATTERN"], s.numberSchemes.map {
                    [$0.id, String($0.length), $0.generator ? "yes" : "no", $0.parts.isEmpty ? "-" : $0.parts.map(\.key).joined(separator: "+"),
                     $0.status.rawValue, $0.pattern]
                })
            default: nil
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "validate", abstract: "Validate a Standards folder against its schemas and cross-references.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder (default: the one a new bank would load).") var dir: String?

        func run() throws {
            let output = Output(json: global.json)
            do {
                guard let url = dir.map({ URL(fileURLWithPath: $0) }) ?? global.configuration.standardsDirectory ?? StandardsLocator.find() else {
                    throw SkillError(.standardsMissing, "no Standards folder found; name one")
                }
                let s = try Standards.load(directory: url)
                try output.emit(["valid": true, "directory": .string(url.path), "files": .int(s.files.count)]) {
                    "\(url.path): \(s.files.count) files valid"
                }
            } catch {
                throw output.fail(error)
            }
        }
    }
}
