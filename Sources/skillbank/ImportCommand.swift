import ArgumentParser
import CSV
import Foundation
import SkillCore
import SkillLedger

extension ImportKind: ExpressibleByArgument {
    public static var allValueStrings: [String] { importable.map(\.rawValue) }
    public init?(argument: String) {
        guard let kind = ImportKind(rawValue: argument), ImportKind.importable.contains(kind) else { return nil }
        self = kind
    }
}

struct ImportCommand: BankCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bulk import people, enrolments or completions from RFC 4180 CSV, in one transaction.",
        discussion: """
            Headers: people → name,id_type,id_number; enrolments → person,course; completions → enrolment,outcome
            (outcome: completed | failed | withdrawn). Every bad row is reported as 'line N, column C: what is wrong'
            and nothing is written, unless --skip-bad is given: then the good rows are imported and the bad ones
            are written to the reject file with an 'error' column.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "people | enrolments | completions") var kind: ImportKind
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Import the good rows and write the bad ones to the reject file.") var skipBad = false
    @Option(help: "Where rejected rows go with --skip-bad (default FILE.rejects.csv).") var rejects: String?

    func run(on bank: Bank, output: Output) throws(SkillError) {
        let interactive = Terminal.isInteractive && !global.json
        let report = try bank.imports.importCSV(kind, from: URL(fileURLWithPath: file), skipBad: skipBad) { done in
            if interactive { FileHandleProgress.show(done) }
        }
        if interactive { FileHandleProgress.finish() }
        try ImportOutcome.emit(report, file: file, skipBad: skipBad, rejects: rejects, json: global.json, output: output)
    }
}

/// How every CSV import reports at the terminal: the count, the bad rows (all of them when
/// nothing was written; the reject file with --skip-bad), and the exit code.
enum ImportOutcome {
    static func emit(_ report: ImportReport, file: String, skipBad: Bool, rejects: String?, json: Bool, output: Output) throws(SkillError) {
        var rejectPath: String?
        if skipBad, !report.problems.isEmpty {
            let path = rejects ?? file + ".rejects.csv"
            try writeRejects(report, to: path)
            rejectPath = path
        }
        var value = report.json.objectValue!
        value["reject_file"] = .optional(rejectPath)
        if !report.committed {
            if json { try output.emit(.object(value)) { "" } } else { report.problems.forEach { Terminal.error($0.description) } }
            throw SkillError(.importBadRows, "\(report.problems.count) bad row(s) of \(report.rows); nothing was imported (fix them, or use --skip-bad)")
        }
        try output.emit(.object(value)) {
            var lines = ["imported \(report.imported) of \(report.rows) \(report.kind.rawValue) rows"]
            if let rejectPath { lines.append("\(report.problems.count) bad row(s) written to \(rejectPath):") }
            lines += report.problems.prefix(20).map { "  " + $0.description }
            if report.problems.count > 20 { lines.append("  … and \(report.problems.count - 20) more") }
            return lines.joined(separator: "\n")
        }
    }

    static func writeRejects(_ report: ImportReport, to path: String) throws(SkillError) {
        // The rows of a people import hold names and ID numbers: the file is its owner's alone.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let stream = OutputStream(toFileAtPath: path, append: false)
        else {
            throw SkillError(.fileUnreadable, "cannot write the reject file", field: path)
        }
        do {
            let writer = try CSVWriter(stream: stream)
            try writer.write(row: report.kind.columns + ["line", "error"])
            for p in report.problems {
                try writer.write(row: report.kind.columns.map { p.fields[$0] ?? "" } + [String(p.line), "column \(p.column): \(p.message)"])
            }
            writer.stream.close()
        } catch {
            throw SkillError(.fileUnreadable, "cannot write the reject file", field: path, cause: "\(error)")
        }
    }
}

/// A one-line progress counter on standard error, for people at a terminal.
enum FileHandleProgress {
    static func show(_ done: Int) {
        FileHandle.standardError.write(Data("\r\(done) rows".utf8))
    }

    static func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
