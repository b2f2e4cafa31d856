/// Why a byte string could not be decoded. Decoding never traps and never
/// allocates more than the input could justify: every length is checked against
/// the bytes that remain before anything is reserved.
public enum DecodeError: Error, Equatable, Sendable {
    case truncated
    case malformed(String)
    case unsupportedVersion(UInt8)
}

/// Reads what `ByteWriter` wrote, checking bounds at every step.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func u8() throws(DecodeError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u32() throws(DecodeError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    public mutating func u64() throws(DecodeError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    public mutating func varint() throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            if shift == 63 && byte > 1 { throw .malformed("varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformed("varint longer than 10 bytes") }
        }
    }

    public mutating func zigzag() throws(DecodeError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    /// A count of items that each take at least `minimumItemSize` bytes; rejects
    /// counts the remaining input cannot hold, so a corrupt count cannot make the
    /// caller reserve a huge array.
    public mutating func count(minimumItemSize: Int = 1) throws(DecodeError) -> Int {
        let n = try varint()
        guard n <= UInt64(remaining / max(1, minimumItemSize)) else { throw .truncated }
        return Int(n)
    }

    public mutating func lengthPrefixed() throws(DecodeError) -> [UInt8] {
        let n = try count(minimumItemSize: 1)
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// Skips a length-prefixed byte string and returns where it lies, without copying it.
    public mutating func lengthPrefixedRange() throws(DecodeError) -> Range<Int> {
        let n = try count(minimumItemSize: 1)
        defer { offset += n }
        return offset..<offset + n
    }

    public mutating func string() throws(DecodeError) -> String {
        String(decoding: try lengthPrefixed(), as: UTF8.self)
    }

    public func expectEnd() throws(DecodeError) {
        guard isAtEnd else { throw .malformed("\(remaining) trailing bytes") }
    }
}
