import ArgumentParser
import Foundation
import SkillCore

/// Writes results as tables or JSON, and errors with their exit codes.
struct Output {
    let json: Bool

    /// Prints `value` as JSON in JSON mode, else the human text.
    func emit(_ value: JSONValue, human: () -> String) throws(SkillError) {
        if json {
            print(try value.prettyString())
        } else {
            let text = human()
            if !text.isEmpty { print(text) }
        }
    }

    /// The text of a file the user named.
    /// - Throws: `input.file-unreadable` naming the path.
    static func read(_ path: String) throws(SkillError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw SkillError(.fileUnreadable, "cannot read the file", field: path) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes a document to `path` (mode 0600: a certificate exported with the holder's name is
    /// theirs to hand out), or to standard output when there is none.
    /// - Throws: `input.file-unreadable` naming the path when it cannot be written.
    func write(_ text: String, to path: String?) throws(SkillError) {
        guard let path else {
            print(text)
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SkillError(.fileUnreadable, "cannot write the file", field: path)
        }
        Terminal.note("wrote \(path)")
    }

    /// Prints the error to standard error and returns the exit code to end with. A domain field
    /// the error names is shown as the flag (or positional argument) a user types.
    /// - Parameter positionals: the command's positional arguments, by domain field name.
    func fail(_ thrown: any Error, positionals: Set<String> = []) -> ExitCode {
        if let exit = thrown as? ExitCode { return exit }
        let raw = thrown as? SkillError ?? SkillError(.storeFailure, "internal error", cause: "\(thrown)")
        let error = SkillError(raw.code, raw.message, field: raw.field.map { Flags.name(for: $0, positionals: positionals) }, cause: raw.cause)
        let value: JSONValue = [
            "error": ["code": .string(error.code.rawValue), "message": .string(error.message), "field": .optional(error.field)],
        ]
        if json, let text = try? value.prettyString() {
            Terminal.error(text)
        } else {
            Terminal.error("error: \(error.description)")
        }
        return ExitCode(ExitCodes.code(for: error.code))
    }
}

/// The CLI's names for the domain fields errors name: `id_number` → `--id-number`, a
/// positional argument in capitals, a few flags named otherwise; anything that is not a domain
/// field name (a path, `line 3`, an environment variable) stays as it is.
enum Flags {
    /// Flags whose name is not the field's with dashes.
    static let renamed = [
        "site_sequence": "--site", "valid_from": "--from", "valid_until": "--until", "starts_on": "--starts", "ends_on": "--ends", "dual_mapping": "--dual",
    ]

    static func name(for field: String, positionals: Set<String> = []) -> String {
        // `code, line 2` (a field inside a nested place): map the first part only.
        let parts = field.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let first = parts[0]
        guard !first.isEmpty, first.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "_") }) else { return field }
        let mapped = positionals.contains(first) ? first.uppercased() : renamed[first] ?? "--" + first.replacingOccurrences(of: "_", with: "-")
        return parts.count == 2 ? "\(mapped), \(parts[1])" : mapped
    }
}

/// The CLI's one table from error kinds to exit codes (sysexits.h, as STYLE.md fixes them).
enum ExitCodes {
    static func code(for code: SkillError.Code) -> Int32 {
        switch code.kind {
        case .usage: 64
        case .badData: 65
        case .notFound: 66
        case .notAllowed, .unauthenticated: 69
        case .internal: 70
        case .busy: 75
        case .config: 78
        }
    }
}

/// Standard error and terminal helpers.
enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A note for the person at the terminal (standard error, so stdout stays scriptable).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Plain-text tables that line up Chinese (double-width) and Latin text.
enum Table {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(width)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], width(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - width(c))
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    /// Display columns of `s`: East Asian wide and full-width characters take two.
    static func width(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { total, u in
            let v = u.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || v >= 0x20000
            return total + (u.properties.generalCategory == .nonspacingMark ? 0 : (wide ? 2 : 1))
        }
    }
}

/// Programs found on the PATH.
enum Executable {
    /// The full path of `name` on the PATH, or nil.
    static func find(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
