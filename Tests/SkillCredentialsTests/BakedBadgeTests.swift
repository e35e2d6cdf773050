import Foundation
import SkillCore
import SkillCredentials
@testable import SkillCrypto
import Testing

/// Open Badges 3.0 baking: what SkillBank bakes comes out whole, and badges made by hand (another
/// namespace prefix, an escaped JWT, split CDATA, a compressed iTXt) give up their credential too.
@Suite struct BakedBadgeTests {
    let face = BakedBadge.Face(title: "职业技能等级证书", occupation: "电工", level: "四级/中级工", number: "S001244000007264000001", issuer: "评价中心")
    let json = #"{"@context":["https://www.w3.org/ns/credentials/v2"],"name":"a <b> & ]]> c"}"#
    let jwt = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2lnbmF0dXJl"

    @Test func svgRoundTripsJSONAndJWT() {
        for credential in [json, jwt] {
            let svg = BakedBadge.svg(face, credential: credential)
            #expect(svg.contains("xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"") && svg.contains("<openbadges:credential>"))
            #expect(BakedBadge.extract(Array(svg.utf8)) == credential)
        }
    }

    @Test func handMadeSVGsAreRead() {
        // Another prefix for the same namespace, attributes on the element, a JWT with escaped text around it.
        let other = """
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:ob='https://purl.imsglobal.org/ob/v3p0' width="10" height="10">
            <rect width="10" height="10"/><ob:credential verify="\(jwt)">
              \(jwt)
            </ob:credential></svg>
            """
        #expect(BakedBadge.extract(Array(other.utf8)) == jwt)
        // JSON written with entities instead of CDATA.
        let escaped = """
            <svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>{&quot;name&quot;:&quot;a &lt;b&gt; &amp; c&quot;}</openbadges:credential></svg>
            """
        #expect(BakedBadge.extract(Array(escaped.utf8)) == #"{"name":"a <b> & c"}"#)
        // The OB 2.0 namespace, no credential element, not an SVG: nothing.
        #expect(BakedBadge.extract(Array(#"<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="x"/></svg>"#.utf8)) == nil)
        #expect(BakedBadge.extract(Array(#"<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"></svg>"#.utf8)) == nil)
        #expect(BakedBadge.extract(Array("hello".utf8)) == nil)
    }

    @Test func pngRoundTripsAndCompressedTextIsRead() throws {
        let image = try PNG.greyscale(width: 4, height: 4) { x, y in (x + y) % 2 == 0 }
        let baked = try BakedBadge.png(image, credential: json)
        #expect(try PNG.chunks(baked).map(\.type) == ["IHDR", "iTXt", "IDAT", "IEND"])
        #expect(BakedBadge.extract(baked) == json)
        #expect(BakedBadge.extract(image) == nil)
        // A hand-made iTXt: compressed, with a language tag and a translated keyword.
        let compressed = try PNG.deflate(Array(jwt.utf8))
        let itxt = Array("openbadgecredential".utf8) + [0, 1, 0] + Array("zh".utf8) + [0] + Array("证书".utf8) + [0] + compressed
        let chunks = try PNG.chunks(image)
        var handMade = Array(image.prefix(8)) + PNG.chunk(chunks[0].type, chunks[0].data) + PNG.chunk("iTXt", itxt)
        for c in chunks.dropFirst() { handMade += PNG.chunk(c.type, c.data) }
        #expect(BakedBadge.extract(handMade) == jwt)
        // A damaged chunk: nothing is read from it.
        var damaged = baked
        damaged[40] ^= 0xFF
        #expect(BakedBadge.extract(damaged) == nil)
    }
}
