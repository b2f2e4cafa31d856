/// Base64url without padding (RFC 4648 section 5), for version tokens handed to clients.
///
/// Written here because the core uses no Foundation. The text is opaque to clients: they store
/// it and send it back, so only round-tripping matters, but the alphabet is the standard one.
public enum OpaqueText {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk: UInt32 = 0
            for k in 0..<3 { chunk = (chunk << 8) | (k < n ? UInt32(bytes[i + k]) : 0) }
            for k in 0...n { out.append(alphabet[Int((chunk >> (18 - 6 * UInt32(k))) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func value(of char: UInt8) -> UInt32? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(char - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(char - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(char - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    /// Rejects characters outside the alphabet, an impossible length, and non-zero padding bits,
    /// so each byte string has exactly one text form.
    public static func decode(_ text: String) throws(DecodeError) -> [UInt8] {
        let chars = Array(text.utf8)
        guard chars.count % 4 != 1 else { throw .malformed("base64url length \(chars.count)") }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var i = 0
        while i < chars.count {
            let n = min(4, chars.count - i)
            var chunk: UInt32 = 0
            for k in 0..<4 {
                var v: UInt32 = 0
                if k < n {
                    guard let decoded = value(of: chars[i + k]) else { throw .malformed("not base64url") }
                    v = decoded
                }
                chunk = (chunk << 6) | v
            }
            let produced = n - 1
            for k in 0..<produced { out.append(UInt8(truncatingIfNeeded: chunk >> (16 - 8 * UInt32(k)))) }
            let unusedBitMask: UInt32 = produced == 3 ? 0 : (1 << (24 - 8 * UInt32(produced))) - 1
            guard chunk & unusedBitMask == 0 else { throw .malformed("base64url padding bits set") }
            i += 4
        }
        return out
    }
}
