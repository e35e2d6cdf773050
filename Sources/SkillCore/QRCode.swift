/// A QR Code symbol (ISO/IEC 18004:2015): byte mode, error correction level M (about 15% of the
/// symbol may be damaged), versions 1–10 (up to 213 bytes: a verification URL fits in version 4
/// or 5). Pure: the modules as booleans, rendered by the caller (SVG on the printable page, PNG
/// for the decoder in the tests).
public struct QRCode: Sendable, Equatable {
    /// 1…10; the symbol is `17 + 4 × version` modules wide.
    public let version: Int
    /// The mask pattern chosen (0…7), the one with the lowest penalty (§7.8.3).
    public let mask: Int
    /// `modules[y][x]`: true is dark.
    public let modules: [[Bool]]

    public var size: Int { modules.count }

    /// Level M, versions 1…10 (Table 9): error-correction codewords per block and number of blocks.
    static let eccPerBlock = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blocks = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5]
    /// Centre coordinates of the alignment patterns (Annex E).
    static let alignment: [[Int]] = [[], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    /// Modules that carry data or error correction (everything but the function patterns).
    static func rawDataModules(_ v: Int) -> Int {
        var n = (16 * v + 128) * v + 64
        if v >= 2 {
            let align = v / 7 + 2
            n -= (25 * align - 10) * align - 55
            if v >= 7 { n -= 36 }
        }
        return n
    }

    static func dataCodewords(_ v: Int) -> Int { rawDataModules(v) / 8 - eccPerBlock[v] * blocks[v] }

    /// Encodes `bytes` in the smallest version that holds them.
    /// - Throws: `input.invalid-field` when they need more than version 10 (213 bytes).
    public init(bytes: [UInt8]) throws(SkillError) {
        guard let v = (1...10).first(where: { 4 + ($0 < 10 ? 8 : 16) + 8 * bytes.count <= Self.dataCodewords($0) * 8 }) else {
            throw SkillError(.invalidField, "\(bytes.count) bytes do not fit a version-10 QR code (213 at most)", field: "qr")
        }
        // Segment (§7.4): mode 0100, the count, the bytes; terminator, pad to a byte, pad codewords.
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, v < 10 ? 8 : 16)
        for b in bytes { append(Int(b), 8) }
        let capacity = Self.dataCodewords(v) * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { i in (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[i + $1] ? 1 : 0) } }
        var pad: UInt8 = 0xEC
        while data.count < Self.dataCodewords(v) {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        let codewords = Self.interleaved(data, version: v)

        var grid = Grid(size: 17 + 4 * v)
        grid.drawFunctionPatterns(version: v)
        grid.drawCodewords(codewords)
        // The mask with the lowest penalty, with its format information (§7.8).
        var best: (penalty: Int, mask: Int, grid: Grid)?
        for mask in 0..<8 {
            var candidate = grid
            candidate.apply(mask: mask)
            candidate.drawFormat(mask: mask)
            let penalty = candidate.penalty()
            if best == nil || penalty < best!.penalty { best = (penalty, mask, candidate) }
        }
        version = v
        mask = best!.mask
        modules = best!.grid.dark
    }

    /// Splits the data into blocks, adds each block's Reed–Solomon codewords and interleaves them (§7.5–7.6).
    static func interleaved(_ data: [UInt8], version v: Int) -> [UInt8] {
        let count = blocks[v], ecc = eccPerBlock[v]
        let raw = rawDataModules(v) / 8
        let short = count - raw % count
        let shortLength = raw / count
        let divisor = ReedSolomon.divisor(degree: ecc)
        var all: [[UInt8]] = []
        var k = 0
        for i in 0..<count {
            var block = Array(data[k..<(k + shortLength - ecc + (i < short ? 0 : 1))])
            k += block.count
            let remainder = ReedSolomon.remainder(block, divisor)
            if i < short { block.append(0) }
            all.append(block + remainder)
        }
        var out: [UInt8] = []
        for i in 0..<all[0].count {
            for (j, block) in all.enumerated() where i != shortLength - ecc || j >= short { out.append(block[i]) }
        }
        return out
    }

    /// An SVG drawing of the symbol with its 4-module quiet zone, `pixels` wide.
    public func svg(pixels: Int = 200, title: String) -> String {
        let side = size + 8
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + 4),\(y + 4)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(pixels)" height="\(pixels)" shape-rendering="crispEdges" role="img" aria-label="\(title)"><title>\(title)</title><rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}

/// Reed–Solomon over GF(2⁸) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D).
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> UInt8(i)) & 1) * Int(x)
        }
        return UInt8(z)
    }

    /// The generator polynomial's coefficients (highest first, the leading 1 left out).
    static func divisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    static func remainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for b in data {
            let factor = b ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }
}

/// The symbol being drawn: module colours and which modules are function patterns.
struct Grid {
    var dark: [[Bool]]
    var function: [[Bool]]
    let size: Int

    init(size: Int) {
        self.size = size
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        function = dark
    }

    mutating func set(_ x: Int, _ y: Int, _ on: Bool) {
        dark[y][x] = on
        function[y][x] = true
    }

    mutating func drawFunctionPatterns(version v: Int) {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        // Finder patterns with their separators.
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                    let d = max(abs(dx), abs(dy))
                    set(cx + dx, cy + dy, d != 2 && d != 4)
                }
            }
        }
        let centres = QRCode.alignment[v]
        for (i, cx) in centres.enumerated() {
            for (j, cy) in centres.enumerated() {
                let corner = (i == 0 && j == 0) || (i == 0 && j == centres.count - 1) || (i == centres.count - 1 && j == 0)
                if corner { continue }
                for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormat(mask: 0)  // reserves the areas; drawn again once the mask is chosen
        if v >= 7 {
            var rem = v
            for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
            let bits = v << 12 | rem
            for i in 0..<18 {
                let on = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, on)
                set(b, a, on)
            }
        }
    }

    /// Format information: level M (00) and the mask, BCH(15,5) protected, masked with 0x5412 (§7.9).
    mutating func drawFormat(mask: Int) {
        let data = 0 << 3 | mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        let bits = (data << 10 | rem) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// Places the codewords in the two-column zigzag from the bottom right (§7.7.3).
    mutating func drawCodewords(_ codewords: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !function[y][x], i < codewords.count * 8 {
                        dark[y][x] = (codewords[i >> 3] >> (7 - UInt8(i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !function[y][x] {
                let invert: Bool = switch mask {
                case 0: (x + y) % 2 == 0
                case 1: y % 2 == 0
                case 2: x % 3 == 0
                case 3: (x + y) % 3 == 0
                case 4: (x / 3 + y / 2) % 2 == 0
                case 5: x * y % 2 + x * y % 3 == 0
                case 6: (x * y % 2 + x * y % 3) % 2 == 0
                default: ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { dark[y][x].toggle() }
            }
        }
    }

    /// The penalty of §7.8.3: runs, 2×2 blocks, finder-like patterns, and dark/light balance.
    func penalty() -> Int {
        var score = 0
        let finderLike: [[Bool]] = [[true, false, true, true, true, false, true, false, false, false, false],
                                    [false, false, false, false, true, false, true, true, true, false, true]]
        for horizontal in [true, false] {
            for a in 0..<size {
                let line = (0..<size).map { b in horizontal ? dark[a][b] : dark[b][a] }
                var run = 1
                for b in 1..<size {
                    if line[b] == line[b - 1] {
                        run += 1
                    } else {
                        if run >= 5 { score += 3 + run - 5 }
                        run = 1
                    }
                }
                if run >= 5 { score += 3 + run - 5 }
                for b in 0...(size - 11) where finderLike.contains(Array(line[b..<(b + 11)])) { score += 40 }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) where dark[y][x] == dark[y][x + 1] && dark[y][x] == dark[y + 1][x] && dark[y][x] == dark[y + 1][x + 1] { score += 3 }
        }
        let total = size * size
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        score += ((abs(darkCount * 20 - total * 10) + total - 1) / total - 1) * 10
        return score
    }
}
