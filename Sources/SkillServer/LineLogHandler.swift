import Foundation
import Logging
import SkillCore

/// Writes each log event as one line, `2026-11-29T10:31:02.123Z info skillbank: request
/// method=POST ms=0.84 route=/v1/verify status=200`, with one `write(2)` per line.
///
/// swift-log's `StreamLogHandler` formats local time with `strftime`, and glibc re-reads the
/// zone file for that on every call; with one line per request that was about a tenth of
/// the server's throughput in `Tools/http-bench.sh`. This handler prints UTC with
/// milliseconds (`Timestamp.format(epochMilliseconds:)`) and sorts the metadata keys, so lines
/// read the same way each time.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let descriptor: Int32

    /// - Parameters:
    ///   - label: the logger's label, printed before the message.
    ///   - descriptor: where lines go (standard error unless told).
    public init(label: String, descriptor: Int32 = 2) {
        self.label = label
        self.descriptor = descriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let text = LineLogHandler.format(time: LineLogHandler.now(), level: event.level, label: label, message: event.message.description, metadata: all)
        LineLogHandler.writeAll(Array(text.utf8), to: descriptor)
    }

    /// One line (ending in a newline) for an event at `time` (milliseconds since 1970).
    static func format(time epochMilliseconds: Int, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var text = Timestamp.format(epochMilliseconds: epochMilliseconds)
        text += " \(level.rawValue) \(label): \(message)"
        for key in metadata.keys.sorted() {
            text += " \(key)=\(quoted(render(metadata[key]!)))"
        }
        text += "\n"
        return text
    }

    static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let s): s.description
        case .array(let items): "[" + items.map(render).joined(separator: ",") + "]"
        case .dictionary(let d): "{" + d.keys.sorted().map { "\($0):\(render(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// A value as written after `key=`: bare when it has no space, quote, `=` or control
    /// character, otherwise in double quotes with `\` escapes, so one event stays one line.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 0x7F }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Milliseconds since 1970, now.
    static func now() -> Int { Int((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Writes all of `bytes`, retrying short writes and interruptions; a closed or full
    /// destination drops the line rather than stopping the server.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
