/// The header of one stored key: what the store needs besides the bytes.
public struct EntryHeader {
    /// StableHash of the key, kept so that rehashing and partitioning never re-read the key.
    public var hash: UInt64
    /// Absolute expiry in Unix milliseconds; 0 means the key does not expire.
    public var expiresAtMilliseconds: Int64
    public var keyCount: Int32
    public var valueCount: Int32
    /// False once the entry has left the store (the expiry heap may still hold it).
    public var isLive: Bool
}

/// One key and its value in a single allocation: header, then key bytes, then value
/// bytes. One allocation per key instead of three is what keeps memory per key near
/// Redis's (see README, "Memory").
public final class EntryBox: ManagedBuffer<EntryHeader, UInt8> {
    /// Makes a box able to hold `key` and a value of up to `valueCapacity` bytes.
    public static func make(key: UnsafeRawBufferPointer, hash: UInt64, valueCapacity: Int) -> EntryBox {
        let box = EntryBox.create(minimumCapacity: key.count + valueCapacity) { _ in
            EntryHeader(hash: hash, expiresAtMilliseconds: 0, keyCount: Int32(key.count), valueCount: 0, isLive: true)
        }
        let entry = unsafeDowncast(box, to: EntryBox.self)
        entry.withUnsafeMutablePointerToElements { elements in
            if let source = key.baseAddress, key.count > 0 {
                UnsafeMutableRawPointer(elements).copyMemory(from: source, byteCount: key.count)
            }
        }
        return entry
    }

    @inlinable public var hash: UInt64 { header.hash }
    @inlinable public var keyCount: Int { Int(header.keyCount) }
    @inlinable public var valueCount: Int { Int(header.valueCount) }
    @inlinable public var valueCapacity: Int { capacity - keyCount }

    @inlinable
    public func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeMutablePointerToElements { try body(UnsafeRawBufferPointer(start: $0, count: keyCount)) }
    }

    @inlinable
    public func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeMutablePointerToElements {
            try body(UnsafeRawBufferPointer(start: $0 + keyCount, count: valueCount))
        }
    }

    /// Overwrites the value; the caller guarantees `value.count <= valueCapacity`.
    @inlinable
    public func storeValue(_ value: UnsafeRawBufferPointer) {
        precondition(value.count <= valueCapacity, "value \(value.count) > capacity \(valueCapacity)")
        withUnsafeMutablePointerToElements { elements in
            if let source = value.baseAddress, value.count > 0 {
                UnsafeMutableRawPointer(elements + keyCount).copyMemory(from: source, byteCount: value.count)
            }
        }
        header.valueCount = Int32(value.count)
    }

    /// Appends to the value in place; the caller guarantees the capacity.
    public func appendValue(_ tail: UnsafeRawBufferPointer) {
        precondition(valueCount + tail.count <= valueCapacity, "append past capacity")
        withUnsafeMutablePointerToElements { elements in
            if let source = tail.baseAddress, tail.count > 0 {
                UnsafeMutableRawPointer(elements + keyCount + valueCount).copyMemory(from: source, byteCount: tail.count)
            }
        }
        header.valueCount += Int32(tail.count)
    }

    /// Bytes this entry costs in memory: object header, EntryHeader, tail, and its slot in the table.
    @inlinable public var footprint: Int { 16 + MemoryLayout<EntryHeader>.stride + capacity + 32 }
}
