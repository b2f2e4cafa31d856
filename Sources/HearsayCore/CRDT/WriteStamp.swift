/// What every visible write carries: its dot (identity and causality), its hybrid timestamp
/// (for choosing a winner among concurrent writes) and its absolute expiry.
///
/// Expiry is stored as nanoseconds with `Int64.max` meaning "never", so liveness is one
/// comparison and the stamp is 32 bytes with no optional padding.
public struct WriteStamp: Hashable, Sendable, CustomStringConvertible {
    public var dot: Dot
    public var timestamp: HybridTimestamp
    public var expiryNanoseconds: Int64

    public static let neverExpires = Int64.max

    public init(dot: Dot, timestamp: HybridTimestamp, expiresAt: WallTime? = nil) {
        self.dot = dot
        self.timestamp = timestamp
        expiryNanoseconds = expiresAt?.nanoseconds ?? WriteStamp.neverExpires
    }

    /// nil when the write never expires.
    public var expiresAt: WallTime? {
        expiryNanoseconds == WriteStamp.neverExpires ? nil : WallTime(nanoseconds: expiryNanoseconds)
    }

    /// A write is live until its expiry instant; at the instant itself it is gone, as in Redis.
    @inlinable public func isLive(at now: WallTime) -> Bool { now.nanoseconds < expiryNanoseconds }

    /// The deterministic winner order: higher timestamp, then higher node id, then higher
    /// counter. Dots are unique, so two distinct stamps are never tied.
    @inlinable public func winsOver(_ other: WriteStamp) -> Bool {
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if dot.node != other.dot.node { return dot.node > other.dot.node }
        return dot.counter > other.dot.counter
    }

    /// Orders stamps that share a dot by timestamp then expiry; see `DottedEntry.payloadPrecedes`.
    static func comparePayload(_ a: WriteStamp, _ b: WriteStamp) -> Int {
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp ? -1 : 1 }
        if a.expiryNanoseconds != b.expiryNanoseconds { return a.expiryNanoseconds < b.expiryNanoseconds ? -1 : 1 }
        return 0
    }

    public var description: String {
        "\(dot)@\(timestamp)" + (expiresAt.map { " exp \($0)" } ?? "")
    }

    /// Expiry is written as `Int64.max - ns` so "never" costs one byte.
    func encode(into writer: inout ByteWriter) {
        dot.encode(into: &writer)
        timestamp.encode(into: &writer)
        writer.varint(UInt64(bitPattern: WriteStamp.neverExpires &- expiryNanoseconds))
    }

    static func decode(from reader: inout ByteReader) throws(DecodeError) -> WriteStamp {
        let dot = try Dot.decode(from: &reader)
        let timestamp = try HybridTimestamp.decode(from: &reader)
        let expiry = WriteStamp.neverExpires &- Int64(bitPattern: try reader.varint())
        var stamp = WriteStamp(dot: dot, timestamp: timestamp)
        stamp.expiryNanoseconds = expiry
        return stamp
    }

    static let encodedSizeMin = Dot.encodedSizeMin + 8 + 1
}
