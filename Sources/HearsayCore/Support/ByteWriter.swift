/// Appends a compact binary encoding: fixed-width little-endian integers,
/// LEB128 varints and length-prefixed byte strings. Shared by the object
/// encoding (Storage, CRDT) and the peer protocol (Wire).
///
/// The array is kept longer than `count` and written through a raw pointer: Array's
/// own append cost about 110 instructions per field however small (callgrind: a third of a
/// replicated SET went to appends of this kind). `bytes` copies the written part out
/// unless it fills the array; `takeBytes()` hands it over without a copy.
public struct ByteWriter {
    var buffer: [UInt8]
    /// Bytes written; `buffer` is longer when it has room to spare.
    public private(set) var count = 0

    public init(capacity: Int = 64) {
        buffer = [UInt8](repeating: 0, count: max(0, capacity))
    }

    /// The bytes written so far.
    public var bytes: [UInt8] { count == buffer.count ? buffer : Array(buffer[..<count]) }

    /// The bytes written, without a copy; the writer is left empty.
    public mutating func takeBytes() -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &buffer)
        out.removeLast(out.count - count)
        count = 0
        return out
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// Forgets what was written, keeping the storage.
    public mutating func removeAll() { count = 0 }

    /// Forgets what was written after the first `newCount` bytes.
    mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "truncate to \(newCount) of \(count)")
        count = newCount
    }

    /// Room for `n` more bytes (at least `room`, of which `body` may write past the `n`
    /// that count), where `body` writes them.
    @inline(__always)
    mutating func write(_ n: Int, room: Int = 0, _ body: (UnsafeMutableRawPointer) -> Void) {
        let needed = count + Swift.max(n, room)
        if needed > buffer.count { grow(toFit: needed) }
        let at = count
        buffer.withUnsafeMutableBytes { body($0.baseAddress! + at) }
        count += n
    }

    /// Zeros appended as slices when the array grows: a fresh zeroed array per growth went
    /// through a generic allocation path (600 instructions a replicated SET), and appending a
    /// `repeatElement` looped element by element in debug builds (seconds for 16 MiB).
    private static let zeros = [UInt8](repeating: 0, count: 1 << 16)

    mutating func grow(toFit needed: Int) {
        let size = Swift.max(needed, 2 * buffer.count, 64)
        buffer.reserveCapacity(size)
        while buffer.count < size {
            buffer.append(contentsOf: Self.zeros[..<Swift.min(size - buffer.count, Self.zeros.count)])
        }
    }

    public mutating func u8(_ v: UInt8) {
        write(1) { $0.storeBytes(of: v, as: UInt8.self) }
    }

    public mutating func u32(_ v: UInt32) {
        write(4) { $0.storeBytes(of: v.littleEndian, as: UInt32.self) }
    }

    public mutating func u64(_ v: UInt64) {
        write(8) { $0.storeBytes(of: v.littleEndian, as: UInt64.self) }
    }

    /// Unsigned LEB128: 1 byte below 128, at most 10 bytes. The bytes are gathered in two
    /// words and stored at once (a call per byte cost 75 instructions a varint).
    public mutating func varint(_ v: UInt64) {
        if v < 0x80 {
            u8(UInt8(truncatingIfNeeded: v))
            return
        }
        var low: UInt64 = 0
        var high: UInt64 = 0
        var x = v
        var n = 0
        while true {
            let byte = x < 0x80 ? x : (x & 0x7F) | 0x80
            if n < 8 { low |= byte << (8 * n) } else { high |= byte << (8 * (n - 8)) }
            n += 1
            if x < 0x80 { break }
            x >>= 7
        }
        // Both words are stored whole; only `n` bytes count, the rest is spare room.
        write(n, room: 16) { p in
            p.storeBytes(of: low.littleEndian, as: UInt64.self)
            p.storeBytes(of: high.littleEndian, toByteOffset: 8, as: UInt64.self)
        }
    }

    /// Signed values zigzag-encoded so small negatives stay short.
    public mutating func zigzag(_ v: Int64) {
        varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    /// Raw bytes, as they are.
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        write(raw.count) { $0.copyMemory(from: source, byteCount: raw.count) }
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Another writer's bytes.
    public mutating func append(_ other: ByteWriter) {
        other.withUnsafeBytes { append($0) }
    }

    public mutating func lengthPrefixed(_ b: UnsafeRawBufferPointer) {
        varint(UInt64(b.count))
        append(b)
    }

    public mutating func lengthPrefixed(_ b: [UInt8]) {
        b.withUnsafeBytes { lengthPrefixed($0) }
    }

    public mutating func string(_ s: String) { lengthPrefixed(Array(s.utf8)) }
}
