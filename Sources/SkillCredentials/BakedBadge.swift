import Foundation
import SkillCore
import SkillCrypto

/// Baked badges (Open Badges 3.0 §5.3, "baking"): the signed credential carried inside the image
/// a holder shares. In an SVG, an `<openbadges:credential>` element (namespace
/// `https://purl.imsglobal.org/ob/v3p0`) holds a JWT as text or the credential's JSON in a CDATA
/// section; in a PNG, an `iTXt` chunk with the keyword `openbadgecredential` holds either.
public enum BakedBadge {
    public static let namespace = "https://purl.imsglobal.org/ob/v3p0"
    public static let pngKeyword = "openbadgecredential"

    /// What a badge shows around its credential.
    public struct Face: Sendable {
        public let title: String
        public let occupation: String
        public let level: String
        public let number: String
        public let issuer: String

        public init(title: String, occupation: String, level: String, number: String, issuer: String) {
            self.title = title
            self.occupation = occupation
            self.level = level
            self.number = number
            self.issuer = issuer
        }
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// An SVG badge with `credential` (a compact JWT, or the credential's JSON) baked in.
    public static func svg(_ face: Face, credential: String) -> String {
        let isJWT = !credential.hasPrefix("{")
        // "]]>" cannot occur inside CDATA: split it across two sections.
        let baked = isJWT ? xml(credential) : "<![CDATA[" + credential.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="\(namespace)" viewBox="0 0 400 400" width="400" height="400" role="img" aria-label="\(xml(face.title)) \(xml(face.number))">
            <openbadges:credential>\(baked)</openbadges:credential>
            <title>\(xml(face.title)) · \(xml(face.occupation)) \(xml(face.level))</title>
            <circle cx="200" cy="200" r="190" fill="#fff" stroke="#a8071a" stroke-width="14"/>
            <circle cx="200" cy="200" r="165" fill="none" stroke="#a8071a" stroke-width="3"/>
            <text x="200" y="140" text-anchor="middle" font-family="sans-serif" font-size="26" font-weight="700" fill="#a8071a">\(xml(face.title))</text>
            <text x="200" y="200" text-anchor="middle" font-family="sans-serif" font-size="34" font-weight="700" fill="#111">\(xml(face.occupation))</text>
            <text x="200" y="245" text-anchor="middle" font-family="sans-serif" font-size="24" fill="#111">\(xml(face.level))</text>
            <text x="200" y="290" text-anchor="middle" font-family="monospace" font-size="15" fill="#333">\(xml(face.number))</text>
            <text x="200" y="318" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#333">\(xml(face.issuer))</text>
            </svg>
            """
    }

    /// A PNG badge: `image`'s pixels, with `credential` in an `iTXt` chunk.
    /// - Throws: `input.invalid-field` when `image` is not a PNG.
    public static func png(_ image: [UInt8], credential: String) throws(SkillError) -> [UInt8] {
        let chunks = try PNG.chunks(image)
        // iTXt: keyword, NUL, not compressed, method 0, no language tag, NUL, no translated keyword, NUL, text.
        let itxt = Array(pngKeyword.utf8) + [0, 0, 0, 0, 0] + Array(credential.utf8)
        var out = Array(image.prefix(8))
        for (i, c) in chunks.enumerated() {
            out += PNG.chunk(c.type, c.data)
            if i == 0 { out += PNG.chunk("iTXt", itxt) }  // right after IHDR
        }
        return out
    }

    /// The credential baked into an SVG or PNG file (a JWT or JSON text), or nil when the file is
    /// neither or carries none.
    public static func extract(_ file: [UInt8]) -> String? {
        if file.count >= 8, Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            guard let chunks = try? PNG.chunks(file) else { return nil }
            for chunk in chunks where chunk.type == "iTXt" {
                let parts = chunk.data.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, String(decoding: parts[0], as: UTF8.self) == pngKeyword else { continue }
                var rest = Array(parts[1])
                guard rest.count >= 2 else { return nil }
                let compressed = rest[0] == 1
                rest.removeFirst(2)
                // Language tag and translated keyword, each NUL-terminated.
                for _ in 0..<2 {
                    guard let nul = rest.firstIndex(of: 0) else { return nil }
                    rest.removeFirst(nul + 1)
                }
                if compressed { guard let inflated = try? PNG.inflate(rest) else { return nil }; rest = inflated }
                return String(decoding: rest, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return nil
        }
        return svgCredential(String(decoding: file, as: UTF8.self))
    }

    /// The text of the `credential` element of the Open Badges 3.0 namespace, whatever prefix the
    /// file binds it to, with CDATA unwrapped and entities decoded.
    static func svgCredential(_ text: String) -> String? {
        guard text.contains("<svg") else { return nil }
        guard let binding = text.firstMatch(of: /xmlns:([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*["']https:\/\/purl\.imsglobal\.org\/ob\/v3p0["']/) else { return nil }
        let prefix = String(binding.1)
        guard let open = text.range(of: "<\(prefix):credential"), let close = text.range(of: "</\(prefix):credential>", range: open.upperBound..<text.endIndex),
            let tagEnd = text.range(of: ">", range: open.upperBound..<close.lowerBound)
        else { return nil }
        let body = String(text[tagEnd.upperBound..<close.lowerBound])
        var out = ""
        var rest = Substring(body)
        while let start = rest.range(of: "<![CDATA[") {
            out += decodeEntities(String(rest[..<start.lowerBound]))
            guard let end = rest.range(of: "]]>", range: start.upperBound..<rest.endIndex) else { return nil }
            out += rest[start.upperBound..<end.lowerBound]
            rest = rest[end.upperBound...]
        }
        out += decodeEntities(String(rest))
        let trimmed = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    static func decodeEntities(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
