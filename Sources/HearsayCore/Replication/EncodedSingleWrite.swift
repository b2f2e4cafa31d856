/// A replicated object that is exactly one plain string write: a format-1 encoding whose
/// context is the single dot of its only register sibling, with no other state. That is
/// what a SET replicates when the key's last write came through the same node, the common
/// case, and such an object can be merged into a compact entry straight from its bytes.
struct EncodedSingleWrite {
    let dot: Dot
    let timestamp: HybridTimestamp
    let expiresAtMilliseconds: Int64
    /// Where the value lies in the encoding.
    let value: Range<Int>

    /// Nil for anything else (which then takes the general decode-and-merge path), including
    /// input the full decoder would refuse.
    init?(_ bytes: [UInt8]) { self.init(bytes, in: 0..<bytes.count) }

    /// The same, for an encoding that lies at `range` inside a larger message.
    init?(_ bytes: [UInt8], in range: Range<Int>) {
        var reader = ByteReader(bytes, offset: range.lowerBound)
        do {
            guard try reader.u8() == StoredObject.formatVersion, try reader.varint() == 1 else { return nil }
            let dot = try Dot.decode(from: &reader)
            // No dot cloud, and exactly one register sibling.
            guard try reader.varint() == 0, try reader.varint() == 1 else { return nil }
            let stamp = try WriteStamp.decode(from: &reader)
            guard stamp.dot == dot else { return nil }
            let value = try reader.lengthPrefixedRange()
            // No counter entries, baselines, set members or hash fields.
            for _ in 0..<4 { guard try reader.varint() == 0 else { return nil } }
            // Reading past the range (into the message's next bytes) is caught here.
            guard reader.offset == range.upperBound, value.upperBound <= range.upperBound else { return nil }
            // Expiry must survive the millisecond round trip exactly, as for any compact entry.
            let milliseconds = CompactObject.expiryMilliseconds(stamp.expiryNanoseconds)
            guard CompactObject.expiryNanoseconds(milliseconds) == stamp.expiryNanoseconds,
                milliseconds != 0 || stamp.expiresAt == nil
            else { return nil }
            self.dot = dot
            self.timestamp = stamp.timestamp
            self.expiresAtMilliseconds = milliseconds
            self.value = value
        } catch {
            return nil
        }
    }
}
