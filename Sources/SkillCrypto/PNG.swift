internal import CZlib
import SkillCore

/// PNG files (ISO/IEC 15948) through the system zlib: a black-and-white image for the printed QR
/// code, and the chunks of a file (where a baked badge's credential lives).
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// An 8-bit greyscale PNG of `pixels` (row by row, `true` black).
    /// - Parameter extra: chunks to add before the image data (an `iTXt`, say).
    /// - Throws: `crypto.failure` if zlib fails.
    public static func greyscale(width: Int, height: Int, pixels: (Int, Int) -> Bool, extra: [(type: String, data: [UInt8])] = []) throws(SkillError) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<width { raw.append(pixels(x, y) ? 0 : 255) }
        }
        var header: [UInt8] = []
        for v in [UInt32(width), UInt32(height)] { header += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        header += [8, 0, 0, 0, 0]  // 8-bit, greyscale, deflate, adaptive filtering, no interlace
        var out = signature + chunk("IHDR", header)
        for e in extra { out += chunk(e.type, e.data) }
        return out + chunk("IDAT", try deflate(raw)) + chunk("IEND", [])
    }

    /// A chunk: length, type, data, CRC-32 of type and data.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        let n = UInt32(data.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
            + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
    }

    /// The chunks of a PNG file, in order, each checked against its CRC.
    /// - Throws: `input.invalid-field` when the bytes are not a well-formed PNG.
    public static func chunks(_ file: [UInt8]) throws(SkillError) -> [(type: String, data: [UInt8])] {
        guard file.count >= 8, Array(file.prefix(8)) == signature else { throw SkillError(.invalidField, "not a PNG file", field: "file") }
        var out: [(String, [UInt8])] = []
        var i = 8
        while i + 12 <= file.count {
            let n = Int(file[i]) << 24 | Int(file[i + 1]) << 16 | Int(file[i + 2]) << 8 | Int(file[i + 3])
            guard n <= file.count - i - 12 else { throw SkillError(.invalidField, "a PNG chunk runs past the end of the file", field: "file") }
            let type = String(decoding: file[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(file[(i + 8)..<(i + 8 + n)])
            let expected = chunk(type, data).suffix(4)
            guard Array(file[(i + 8 + n)..<(i + 12 + n)]) == Array(expected) else {
                throw SkillError(.invalidField, "the PNG chunk \(type) fails its CRC", field: "file")
            }
            out.append((type, data))
            i += 12 + n
            if type == "IEND" { return out }
        }
        throw SkillError(.invalidField, "the PNG file has no IEND chunk", field: "file")
    }

    static func deflate(_ data: [UInt8]) throws(SkillError) -> [UInt8] {
        var size = compressBound(UInt(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { o in compress2(o.baseAddress, &size, input.baseAddress, UInt(input.count), 9) }
        }
        guard status == Z_OK else { throw SkillError(.cryptoFailure, "zlib compress2 failed (\(status))") }
        return Array(out.prefix(Int(size)))
    }

    /// Inflates zlib data (a compressed `iTXt`), refusing more than `limit` bytes out.
    /// - Throws: `input.invalid-field` when the data is not zlib or inflates past the limit.
    public static func inflate(_ data: [UInt8], limit: Int = 1 << 20) throws(SkillError) -> [UInt8] {
        var size = UInt(limit)
        var out = [UInt8](repeating: 0, count: limit)
        let status = data.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { o in uncompress(o.baseAddress, &size, input.baseAddress, UInt(input.count)) }
        }
        guard status == Z_OK else { throw SkillError(.invalidField, "compressed PNG text that does not inflate (\(status))", field: "file") }
        return Array(out.prefix(Int(size)))
    }

    /// A QR code as a PNG: each module `scale` pixels, with its 4-module quiet zone.
    public static func qr(_ code: QRCode, scale: Int = 8) throws(SkillError) -> [UInt8] {
        let side = (code.size + 8) * scale
        return try greyscale(width: side, height: side) { x, y in
            let mx = x / scale - 4, my = y / scale - 4
            return (0..<code.size).contains(mx) && (0..<code.size).contains(my) && code.modules[my][mx]
        }
    }
}
