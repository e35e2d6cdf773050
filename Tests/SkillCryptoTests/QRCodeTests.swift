import Foundation
import SkillCore
import SkillCrypto
import Testing

/// The QR encoder, decoded by an independent decoder: `zbarimg` from Debian's zbar-tools, which
/// `.ci/run` installs (the test fails, rather than skips, without it).
@Suite struct QRCodeTests {
    static let zbarimg = ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func decode(_ png: [UInt8]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).png")
        try Data(png).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let zbar = try #require(Self.zbarimg, "zbarimg is not installed (apt-get install zbar-tools)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: zbar)
        p.arguments = ["--raw", "-q", "-Sbinary", file.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: [
        "https://skills.example.gov.cn/verify?number=S001244000007264000001",
        "S001244000007264000001",
        "http://127.0.0.1:8080/verify?number=Y001244000007264000001&lang=zh",
        String(repeating: "证书", count: 30),
        String(repeating: "a", count: 213),
    ])
    func zbarDecodesWhatWasEncoded(_ text: String) throws {
        let code = try QRCode(bytes: Array(text.utf8))
        #expect(code.size == 17 + 4 * code.version)
        #expect(try decode(try PNG.qr(code, scale: 4)) == text)
    }

    @Test func everyVersionAndMaskDecodes() throws {
        // One text per version 1…10 (a length at each version's limit), so every block layout
        // and alignment pattern set is read back by zbar.
        var versions: Set<Int> = []
        var masks: Set<Int> = []
        for length in [14, 26, 42, 62, 84, 106, 122, 152, 180, 213] {
            let text = String((0..<length).map { i in Character(UnicodeScalar(UInt8(65 + (i * 7 + length) % 26))) })
            let code = try QRCode(bytes: Array(text.utf8))
            versions.insert(code.version)
            masks.insert(code.mask)
            #expect(try decode(try PNG.qr(code, scale: 4)) == text, "version \(code.version)")
        }
        #expect(versions == Set(1...10))
        #expect(masks.count > 1)
    }

    @Test func tooLongIsRefused() {
        #expect(throws: SkillError.self) { try QRCode(bytes: Array(repeating: 65, count: 214)) }
    }

    @Test func pngChunksRoundTripAndCRCsAreChecked() throws {
        var png = try PNG.greyscale(width: 3, height: 2, pixels: { x, _ in x == 1 }, extra: [("tEXt", Array("a\u{0}b".utf8))])
        let chunks = try PNG.chunks(png)
        #expect(chunks.map(\.type) == ["IHDR", "tEXt", "IDAT", "IEND"])
        png[40] ^= 1
        #expect(throws: SkillError.self) { try PNG.chunks(png) }
        #expect(throws: SkillError.self) { try PNG.chunks(Array("GIF89a".utf8)) }
    }
}
