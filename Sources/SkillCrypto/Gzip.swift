internal import CZlib
import SkillCore

/// GZIP (RFC 1952) through the system zlib, as Bitstring Status Lists require.
public enum Gzip {
    /// Compresses `data` into a GZIP member.
    /// - Throws: `crypto.failure` if zlib fails.
    public static func compress(_ data: [UInt8]) throws(SkillError) -> [UInt8] {
        var stream = z_stream()
        guard skillbank_deflate_init_gzip(&stream, Z_BEST_COMPRESSION) == Z_OK else {
            throw SkillError(.cryptoFailure, "zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var input = data
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 32)
        let status: Int32 = input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress
                stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw SkillError(.cryptoFailure, "zlib deflate failed (\(status))") }
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// Decompresses one GZIP member, refusing output larger than `limit` bytes (a defence
    /// against compression bombs in lists fetched from elsewhere).
    /// - Throws: `json.malformed` when the data is not GZIP or exceeds the limit.
    public static func decompress(_ data: [UInt8], limit: Int = 16 << 20) throws(SkillError) -> [UInt8] {
        var stream = z_stream()
        guard skillbank_inflate_init_gzip(&stream) == Z_OK else { throw SkillError(.cryptoFailure, "zlib inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var input = data
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { i in
            stream.next_in = i.baseAddress
            stream.avail_in = UInt32(i.count)
            while status == Z_OK {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return c.count - Int(stream.avail_out)
                }
                out.append(contentsOf: chunk.prefix(produced))
                if out.count > limit { status = Z_BUF_ERROR; break }
                if produced == 0 && status == Z_OK && stream.avail_in == 0 { status = Z_DATA_ERROR }
            }
        }
        guard status == Z_STREAM_END else {
            throw SkillError(.jsonMalformed, out.count > limit ? "the compressed list expands beyond \(limit) bytes" : "not valid GZIP data")
        }
        return out
    }
}
