import Foundation
import Testing

/// The pages in a real browser: `Tools/browser/worker-pages.py` drives Debian's headless
/// chromium over the DevTools protocol through sign-in with a link, the record, a download, the
/// printable certificate (its QR code read off the screen by zbarimg), verification of a baked
/// badge and of a tampered one, and sign-out, checking labels, announced verdicts, keyboard reach
/// and AA contrast on each page. Screenshots are kept in `.build/browser-artifacts` (not committed).
/// `.ci/run` installs chromium and zbar-tools; without them this fails rather than skips.
@Suite struct BrowserTests {
    @Test func workerAndEmployerPagesInHeadlessChromium() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", root.appendingPathComponent("Tools/browser/worker-pages.py").path, "--skillbank", CLI.binary.path,
                       "--artifacts", root.appendingPathComponent(".build/browser-artifacts").path]
        var env = ProcessInfo.processInfo.environment
        for key in ["SKILLBANK_DB", "SKILLBANK_STORE_URL", "SKILLBANK_SECRET_FILE"] { env[key] = nil }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        print(text)
        #expect(p.terminationStatus == 0, "\(text.split(separator: "\n").filter { $0.hasPrefix("FAIL") })")
        #expect(text.contains("0 failure(s)") && text.split(separator: "\n").filter { $0.hasPrefix("ok") }.count >= 15)
    }
}
