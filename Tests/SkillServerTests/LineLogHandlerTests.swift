import Foundation
import Logging
@testable import SkillServer
import Testing

/// The server's request log: one line per event, UTC with milliseconds, keys in order, and no
/// value able to break a line or fake another key.
@Suite struct LineLogHandlerTests {
    @Test func formatsOneSortedLineInUTC() {
        // 2026-11-29T10:31:02.007Z
        let line = LineLogHandler.format(
            time: 1_795_948_262_007, level: .info, label: "skillbank", message: "request",
            metadata: ["status": .stringConvertible(200), "method": "POST", "route": "/v1/verify", "ms": "0.84"])
        #expect(line == "2026-11-29T10:31:02.007Z info skillbank: request method=POST ms=0.84 route=/v1/verify status=200\n")
    }

    @Test func quotesWhatCouldSplitOrForgeALine() {
        #expect(LineLogHandler.quoted("plain-value_1.2") == "plain-value_1.2")
        #expect(LineLogHandler.quoted("") == "\"\"")
        #expect(LineLogHandler.quoted("a b") == "\"a b\"")
        #expect(LineLogHandler.quoted("x status=500") == "\"x status=500\"")
        #expect(LineLogHandler.quoted("one\ntwo\r\t\"q\" \\") == #""one\ntwo\r\t\"q\" \\""#)
        #expect(LineLogHandler.quoted("bell\u{07}del\u{7F}") == #""bell\u{7}del\u{7f}""#)
        #expect(LineLogHandler.quoted("证书") == "证书")
        #expect(LineLogHandler.render(.array(["a", .dictionary(["z": "1", "b": "2"])])) == "[a,{b:2,z:1}]")
    }

    @Test func writesWholeLinesToItsDescriptor() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("linelog-\(UUID().uuidString).log")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        var logger = Logger(label: "t") { LineLogHandler(label: $0, descriptor: handle.fileDescriptor) }
        logger[metadataKey: "request_id"] = "r1"
        logger.info("request", metadata: ["status": "200"])
        logger.debug("not at info level")
        logger.error("failed", metadata: ["cause": "two\nlines"])
        try handle.close()
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0].hasSuffix(" info t: request request_id=r1 status=200"))
        #expect(lines[1].hasSuffix(#" error t: failed cause="two\nlines" request_id=r1"#))
        #expect(lines[0].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#, options: .regularExpression) != nil)
    }
}
