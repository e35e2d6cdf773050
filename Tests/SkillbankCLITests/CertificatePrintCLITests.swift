import Foundation
import Testing

/// `skillbank cert print` as a user runs it, and the page as a browser draws it: Debian's
/// chromium renders the HTML (and prints the PDF), and zbarimg reads the QR code off the
/// rendering. `.ci/run` installs both; without them the test fails rather than skips.
@Suite struct CertificatePrintCLITests {
    static func tool(_ names: String...) -> String? {
        names.flatMap { n in ["/usr/bin/\(n)", "/usr/local/bin/\(n)"] }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func thePrintedQRCodeOpensTheVerificationPage() throws {
        let chromium = try #require(Self.tool("chromium", "chromium-browser"), "chromium is not installed (apt-get install chromium)")
        let zbarimg = try #require(Self.tool("zbarimg"), "zbarimg is not installed (apt-get install zbar-tools)")
        let cli = try CLI()
        #expect(try cli.run("init", "--base-url", "https://skills.example.gov.cn").status == 0)
        let evaluator = try cli.run("institution", "register", "--name", "评价中心", "--kind", "social", "--code", CLIFlowTests.uscc("51440000MJ0000001"),
                                    "--province", "44").lastLine
        #expect(try cli.run("institution", "accredit", evaluator, "--occupation", "6-31-01-03", "--levels", "5,4,3", "--from", "2020-01-01").status == 0)
        let person = try cli.run("person", "register", "--name", "李明", "--id-type", "resident", "--id-number", "440305199003071236").lastLine
        let assessment = try cli.run("assessment", "schedule", "--institution", evaluator, "--occupation", "6-31-01-03", "--level", "4").lastLine
        #expect(try cli.run("assessment", "enrol", assessment, "--person", person, "--override", "test").status == 0)
        let number = try #require(try cli.run("assessment", "result", assessment, "--person", person, "--theory", "80", "--practical", "80")
            .stdout.firstMatch(of: /number ([0-9A-Z]+)/)?.1).description

        let html = cli.folder.appendingPathComponent("certificate.html")
        #expect(try cli.run("cert", "print", number, "--out", html.path).status == 0)
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("职业技能等级证书") && page.contains(number) && !page.contains("李明"))
        // The name only when asked for (the worker's choice).
        let named = cli.folder.appendingPathComponent("named.html")
        #expect(try cli.run("cert", "print", number, "--with-name", "--out", named.path).status == 0)
        #expect(try String(contentsOf: named, encoding: .utf8).contains("李明"))
        // The browser draws the page; the decoder reads the QR code off the drawing.
        let shot = cli.folder.appendingPathComponent("certificate.png")
        _ = try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1300", "--screenshot=\(shot.path)", html.absoluteString])
        let decoded = try run(zbarimg, ["--raw", "-q", shot.path])
        #expect(decoded.status == 0 && decoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "https://skills.example.gov.cn/verify?number=\(number)")
        // And prints it to PDF.
        let pdf = cli.folder.appendingPathComponent("certificate.pdf")
        #expect(try cli.run("cert", "print", number, "--out", pdf.path).status == 0)
        #expect(try Data(contentsOf: pdf).prefix(5) == Data("%PDF-".utf8))
        // Baked badges, as a holder would share them, verify with the CLI.
        for format in ["svg", "png"] {
            let badge = cli.folder.appendingPathComponent("badge.\(format)")
            #expect(try cli.run("cert", "export", number, "--format", format, "--out", badge.path).status == 0)
            let verified = try cli.run("verify", badge.path, "--bank")
            #expect(verified.status == 0 && verified.stdout.contains("verdict: VALID"), "\(format): \(verified.stdout.prefix(300)) \(verified.stderr)")
        }
        #expect(try cli.run("cert", "export", number, "--format", "png").status == 64)
        // A certificate that does not exist is a clear error.
        let missing = try cli.run("cert", "print", "S999999999999999999999", "--out", html.path)
        #expect(missing.status == 66 && missing.stderr.contains("ledger.certificate-not-found"))
    }
}
