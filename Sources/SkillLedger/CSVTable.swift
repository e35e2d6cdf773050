import CSV
import Foundation
import SkillCore

/// Streams an RFC 4180 CSV file through CSV.swift, one record at a time, with each record's
/// physical line number (a quoted field with line breaks makes a record span several lines).
package final class CSVRows {
    package struct Record {
        package let line: Int
        package let fields: [String: String]
    }

    let header: [String]
    private let reader: CSVReader
    private var line: Int

    /// Opens `url` and checks that its header is exactly `columns` (in any order).
    /// - Throws: `input.file-unreadable`, `import.csv-malformed`, `import.header-invalid`
    ///   naming missing and unknown columns.
    convenience init(_ url: URL, columns: [String]) throws(SkillError) {
        guard FileManager.default.isReadableFile(atPath: url.path), let stream = InputStream(url: url) else {
            throw SkillError(.fileUnreadable, "cannot read the file", field: url.path)
        }
        try self.init(stream, columns: columns)
    }

    /// Reads from `stream` (the fuzz targets feed bytes this way, without a file).
    package init(_ stream: InputStream, columns: [String]) throws(SkillError) {
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
        self.header = header
        line = 2 + (reader.headerRow ?? []).reduce(0) { $0 + $1.lineBreaks }
    }

    /// The next record, or nil at the end of the file.
    /// - Throws: `import.csv-malformed` for a record with the wrong number of fields or bytes
    ///   that are not UTF-8.
    package func next() throws(SkillError) -> Record? {
        while let row = reader.next() {
            let start = line
            line += 1 + row.reduce(0) { $0 + $1.lineBreaks }
            if row.count == 1, row[0].isEmpty { continue }  // blank line
            guard row.count == header.count else {
                throw SkillError(.csvMalformed, "expected \(header.count) fields, found \(row.count)", field: "line \(start)")
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(header, row) { fields[name] = value }
            return Record(line: start, fields: fields)
        }
        // CSV.swift reports the end of the stream as `cannotReadFile`; anything else (invalid
        // UTF-8, a stream failure) stops the import.
        if let error = reader.error {
            if case CSVError.cannotReadFile = error {} else {
                throw SkillError(.csvMalformed, "the file is not valid UTF-8 CSV", field: "line \(line)", cause: "\(error)")
            }
        }
        return nil
    }
}

extension String {
    /// Line breaks inside a field (CRLF counts once).
    var lineBreaks: Int {
        var count = 0
        var previous: UInt8 = 0
        for b in utf8 {
            if b == 0x0A || b == 0x0D { count += 1 }
            if b == 0x0A, previous == 0x0D { count -= 1 }
            previous = b
        }
        return count
    }
}
