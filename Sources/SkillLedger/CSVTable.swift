import CSV
import Foundation
import SkillCore

/// An RFC 4180 CSV file read through CSV.swift, with each record's physical line number
/// (a quoted field with line breaks makes a record span several lines).
struct CSVTable {
    struct Record {
        let line: Int
        let fields: [String: String]
    }

    let header: [String]
    let records: [Record]

    /// Reads `url` and checks that its header is exactly `columns` (in any order).
    /// - Throws: `input.file-unreadable`, `import.csv-malformed` (with the line),
    ///   `import.header-invalid` naming missing and unknown columns.
    static func read(_ url: URL, columns: [String]) throws(SkillError) -> CSVTable {
        guard let stream = InputStream(url: url), FileManager.default.isReadableFile(atPath: url.path) else {
            throw SkillError(.fileUnreadable, "cannot read the file", field: url.path)
        }
        let reader: CSVReader
        do { reader = try CSVReader(stream: stream, hasHeaderRow: true) } catch {
            throw SkillError(.csvMalformed, "not a CSV file with a header row", field: "line 1", cause: "\(error)")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingSpaces.lowercased() }
        let missing = columns.filter { !header.contains($0) }
        let unknown = header.filter { !columns.contains($0) }
        guard missing.isEmpty, unknown.isEmpty, Set(header).count == header.count else {
            var what: [String] = []
            if !missing.isEmpty { what.append("missing \(missing.joined(separator: ", "))") }
            if !unknown.isEmpty { what.append("unknown \(unknown.map { String($0.prefix(30)) }.joined(separator: ", "))") }
            if Set(header).count != header.count { what.append("a column appears twice") }
            throw SkillError(.csvHeader, "the header must be \(columns.joined(separator: ",")): \(what.joined(separator: "; "))", field: "line 1")
        }
        var records: [Record] = []
        var line = 2 + (reader.headerRow ?? []).reduce(0) { $0 + $1.lineBreaks }
        while let row = reader.next() {
            if row.count == 1, row[0].isEmpty { line += 1; continue }  // blank line
            guard row.count == header.count else {
                throw SkillError(.csvMalformed, "expected \(header.count) fields, found \(row.count)", field: "line \(line)")
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(header, row) { fields[name] = value }
            records.append(Record(line: line, fields: fields))
            line += 1 + row.reduce(0) { $0 + $1.lineBreaks }
        }
        // CSV.swift reports the end of the stream as `cannotReadFile`; anything else (invalid
        // UTF-8, a stream failure) stops the import.
        if let error = reader.error {
            if case CSVError.cannotReadFile = error {} else {
                throw SkillError(.csvMalformed, "the file is not valid UTF-8 CSV", field: "line \(line)", cause: "\(error)")
            }
        }
        return CSVTable(header: header, records: records)
    }
}

extension String {
    /// Line breaks inside a field (CRLF counts once).
    var lineBreaks: Int {
        var count = 0
        var previous: UInt8 = 0
        for b in utf8 {
            if b == 0x0A { count += 1 } else if b == 0x0D { count += 1 }
            if b == 0x0A, previous == 0x0D { count -= 1 }
            previous = b
        }
        return count
    }
}
