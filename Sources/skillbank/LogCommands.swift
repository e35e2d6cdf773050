import ArgumentParser
import Foundation
import SkillCore
import SkillCredentials
import SkillCrypto
import SkillLedger

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The transparency log: every ledger event is a leaf of an RFC 9162 Merkle tree with signed checkpoints.",
        subcommands: [Checkpoint.self, Key.self, Prove.self, Consistency.self, Audit.self, VerifyConsistency.self, Entries.self, ExportTiles.self, CheckTiles.self])

    struct Entries: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "entries",
            abstract: "The log's public entries as JSON lines: each leaf's index, hash and the commitment it is made of (never an event).")
        static let readsOnly = true
        @OptionGroup var global: GlobalOptions
        @Option(help: "The first leaf index.") var start = 0
        @Option(help: "How many leaves (default: all from --start).") var count: Int?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let size = try bank.log.size()
            let end = count.map { min(size, start + $0) } ?? size
            var next = start
            while next < end {
                for entry in try bank.log.entries(start: next, count: min(1_000, end - next)) { print(try entry.json.canonicalString()) }
                next += 1_000
            }
        }
    }

    struct ExportTiles: BankCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-tiles",
            abstract: "Write the log as C2SP tlog-tiles under DIR (tiles, entry bundles of commitments, checkpoint); a later run writes only new tiles.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The directory to write (created when missing).") var directory: String

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let export = try bank.log.exportTiles(to: directory)
            try output.emit(export.json) {
                var text = "tiles of \(export.size) leaves in \(directory): \(export.written) written, \(export.kept) already there"
                if export.withheld > 0 { text += "; \(export.withheld) entry bundles withheld (they hold version-1 leaves, whose data is an event)" }
                return text
            }
        }
    }

    struct CheckTiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-tiles",
            abstract: "For a mirror or an auditor: check published tiles without the bank (every hash recomputes, the checkpoint is signed): exit 0 sound, 65 with the first bad tile named.")
        @Argument(help: "The tiles' directory, or the base URL of a mirror (http:// or https://).") var directory: String
        @Option(help: "The registry's vkey (default: from the local bank).") var key: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let output = Output(json: global.json)
            do {
                let verifier = try key.map { k throws(SkillError) in try SignedNote.VerifierKey(k) } ?? global.openBank(readsOnly: true).log.verifierKey()
                let read = TileSource.reader(directory)
                let note = String(decoding: try read("checkpoint"), as: UTF8.self)
                let checkpoint = try SkillCredentials.Checkpoint(text: try SignedNote.open(note, verifiers: [verifier]).text)
                let checked = try TiledTree(size: checkpoint.size, read: read).check(root: checkpoint.rootHash)
                let value: JSONValue = ["tree_size": .int(checkpoint.size), "tiles": .int(checked.tiles), "entry_bundles": .int(checked.bundles), "entry_bundles_unpublished": .int(checked.unpublished)]
                try output.emit(value) {
                    "sound: \(checked.tiles) tiles of \(checkpoint.size) leaves recompute to the signed checkpoint; \(checked.bundles) entry bundles hash to their leaves"
                        + (checked.unpublished > 0 ? ", \(checked.unpublished) not published" : "")
                }
            } catch {
                throw output.fail(error)
            }
        }
    }

    struct Checkpoint: BankCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Print the latest signed checkpoint (making one if the tree grew).")
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            print(try bank.log.checkpoint(), terminator: "")
        }
    }

    struct Key: BankCommand {
        static let configuration = CommandConfiguration(commandName: "key", abstract: "Print the registry's note verifier key (C2SP vkey: name+hash+base64).")
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            print(try bank.log.verifierKey().text)
        }
    }

    struct Prove: BankCommand {
        static let configuration = CommandConfiguration(commandName: "prove", abstract: "An inclusion proof for an event or a certificate's issuance event.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A certificate id or number.") var certificate: String?
        @Option(help: "An event id.") var event: String?
        @Option(help: "The tree size to prove against (default: the latest checkpoint).") var size: Int?

        func run(on bank: Bank, output: Output) throws(SkillError) {
            guard (certificate == nil) != (event == nil) else { throw SkillError(.usage, "give exactly one of --certificate and --event") }
            let proof = try bank.log.inclusionProof(event: event, certificate: certificate, size: size)
            try output.emit(proof.json) { (try? proof.json.prettyString()) ?? "" }
        }
    }

    struct Consistency: BankCommand {
        static let configuration = CommandConfiguration(commandName: "consistency", abstract: "A consistency proof between two tree sizes.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The first (older) tree size.") var from: Int
        @Option(help: "The second (newer) tree size.") var to: Int

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let proof = try bank.log.consistencyProof(from: from, to: to)
            try output.emit(proof.json) { (try? proof.json.prettyString()) ?? "" }
        }
    }

    struct Audit: BankCommand {
        static let configuration = CommandConfiguration(commandName: "audit", abstract: "Recompute the whole log from the stored events; exit 0 clean, 1 with the first divergence named.")
        @OptionGroup var global: GlobalOptions

        func run(on bank: Bank, output: Output) throws(SkillError) {
            let report = try bank.log.audit()
            try output.emit(report.json) {
                report.divergence.map { "DIVERGENCE in \($0.table) at index \($0.index): \($0.message)" }
                    ?? "log clean: \(report.leaves) leaves, \(report.checkpoints) checkpoint(s) verified"
            }
            if !report.isClean { Foundation.exit(1) }
        }
    }

    struct VerifyConsistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-consistency",
            abstract: "For an outside auditor: check that a newer checkpoint extends an older one (exit 0 yes, 1 no).")
        @Argument(help: "The older signed checkpoint file.") var old: String
        @Argument(help: "The newer signed checkpoint file.") var new: String
        @Option(help: "The registry's vkey (default: from the local bank).") var key: String?
        @Option(help: "A consistency proof file from 'log consistency --json' (default: asked of the local bank).") var proof: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let output = Output(json: global.json)
            do {
                let read = Output.read
                var opened: Bank?
                func bank() throws(SkillError) -> Bank {
                    if let opened { return opened }
                    let bank = try global.openBank()
                    opened = bank
                    return bank
                }
                let verifier = try key.map { k throws(SkillError) in try SignedNote.VerifierKey(k) } ?? bank().log.verifierKey()
                let a = try SkillCredentials.Checkpoint(text: try SignedNote.open(try read(old), verifiers: [verifier]).text)
                let b = try SkillCredentials.Checkpoint(text: try SignedNote.open(try read(new), verifiers: [verifier]).text)
                let path: [[UInt8]]
                if let proof {
                    let value = try JSONParser().parse(try read(proof))
                    path = (value["proof"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Hex.decode) }
                } else {
                    path = try bank().log.consistencyProof(from: a.size, to: b.size).path
                }
                let ok = MerkleTree.verifyConsistency(first: a.size, second: b.size, firstRoot: a.rootHash, secondRoot: b.rootHash, proof: path)
                try output.emit(["consistent": .bool(ok), "first": .int(a.size), "second": .int(b.size)]) {
                    ok ? "consistent: the tree of \(b.size) leaves extends the tree of \(a.size)" : "NOT CONSISTENT: the newer checkpoint does not extend the older one"
                }
                if !ok { throw ExitCode(1) }
            } catch {
                throw output.fail(error)
            }
        }
    }
}
