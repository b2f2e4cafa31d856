import Testing

@testable import HearsayCore

/// The writer stores through raw pointers into spare room; these check it against a
/// byte-by-byte reference encoding and against the reader, across growth.
struct ByteWriterTests {
    /// LEB128 written one byte at a time, as the format defines it.
    static func referenceVarint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var x = v
        while x >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: x))
        return out
    }

    static let boundaries: [UInt64] =
        [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 1 << 35, (1 << 56) - 1, 1 << 56, (1 << 63) - 1, 1 << 63, .max]

    @Test func varint_matchesTheReferenceAndReadsBack_atEveryLengthBoundary() throws {
        for value in Self.boundaries {
            var writer = ByteWriter(capacity: 0)
            writer.varint(value)
            #expect(writer.bytes == Self.referenceVarint(value), "value \(value)")
            var reader = ByteReader(writer.bytes)
            #expect(try reader.varint() == value)
            #expect(reader.isAtEnd)
        }
    }

    @Test func mixedWrites_equalTheReference_andSurviveGrowth() throws {
        var rng = SeededGenerator(seed: 0xB17E_0001)
        for round in 0..<200 {
            var writer = ByteWriter(capacity: Int(rng.next() % 8))
            var expected: [UInt8] = []
            var values: [(kind: Int, value: UInt64, bytes: [UInt8])] = []
            for _ in 0..<Int(rng.next() % 40) {
                let kind = Int(rng.next() % 5)
                let value = rng.next() >> (rng.next() % 64)
                let bytes = (0..<Int(rng.next() % 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                switch kind {
                case 0:
                    writer.u8(UInt8(truncatingIfNeeded: value))
                    expected.append(UInt8(truncatingIfNeeded: value))
                case 1:
                    writer.u32(UInt32(truncatingIfNeeded: value))
                    withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { expected += $0 }
                case 2:
                    writer.u64(value)
                    withUnsafeBytes(of: value.littleEndian) { expected += $0 }
                case 3:
                    writer.varint(value)
                    expected += Self.referenceVarint(value)
                default:
                    writer.lengthPrefixed(bytes)
                    expected += Self.referenceVarint(UInt64(bytes.count)) + bytes
                }
                values.append((kind, value, bytes))
            }
            #expect(writer.count == expected.count)
            #expect(writer.bytes == expected, "round \(round)")
            var reader = ByteReader(writer.bytes)
            for (kind, value, bytes) in values {
                switch kind {
                case 0: #expect(try reader.u8() == UInt8(truncatingIfNeeded: value))
                case 1: #expect(try reader.u32() == UInt32(truncatingIfNeeded: value))
                case 2: #expect(try reader.u64() == value)
                case 3: #expect(try reader.varint() == value)
                default: #expect(try reader.lengthPrefixed() == bytes)
                }
            }
            #expect(reader.isAtEnd)
            #expect(writer.takeBytes() == expected)
            #expect(writer.count == 0 && writer.bytes.isEmpty)
        }
    }

    @Test func removeAll_forgetsTheBytes_andTheNextWritesStartOver() {
        var writer = ByteWriter(capacity: 4)
        writer.u64(.max)
        writer.removeAll()
        writer.varint(300)
        #expect(writer.bytes == [0xAC, 0x02])
        var other = ByteWriter(capacity: 0)
        other.u8(9)
        other.append(writer)
        #expect(other.bytes == [9, 0xAC, 0x02])
    }
}
