/// One turn of an anti-entropy exchange. The two replicas take turns; each turn carries
/// whatever the sender has ready, within `ExchangeSettings`' bounds:
///
/// - `opening` (initiator's first turn only): the partition, its leaf layout, the session's
///   fingerprint salt and the root's fingerprint;
/// - `nodes`: for tree nodes the sender found different, its fingerprints of their children
///   (and key counts from the leaf level down), for the receiver to compare with its own;
/// - `keyLists`: for small differing nodes, the fingerprint of every key's causal digest;
/// - `pulls`: fingerprints of key states the sender lacks and asks for;
/// - `objects`: keys with their whole encoded objects, for the receiver to merge.
///
/// Frame type: `merkleRequest` when the initiator sends, `merkleReply` when the responder
/// does (so a receiver knows which of its sessions a message belongs to).
///
/// Layout (format 2), all integers little-endian or LEB128:
///
///     u8 format, u8 flags (1 from initiator, 2 final, 4 more queued, 8 opening,
///                          16 the sender has dropped work at a bound in this session),
///     varint session, varint sequence,
///     [opening: varint partition, u8 leafBits, u64 salt, u32 root fingerprint]
///     varint n, n x (u8 depth, u8 step | 0x80 if counts, varint index,
///                    2^step x u32 fingerprint, [2^step x varint count])
///     varint n, n x (u8 depth, varint index, varint k, k x u32 fingerprint)
///     varint n, n x u32 fingerprint                                     (pulls)
///     varint n, n x (length-prefixed key, u8 object flags (1 settled tombstone,
///                    2 eviction marker), StoredObject in its own format) (objects)
///
/// Format 2 added the dropped-work flag and the per-object flags (tombstone purging); format
/// 3 the eviction marker flag.
///
/// Decoding accepts nothing else: unknown flags, depths past 63, indexes outside their depth,
/// steps outside 1...3, counts the input cannot hold, trailing bytes are all `DecodeError`.
public struct ExchangeMessage: Equatable, Sendable {
    /// ONLY ADD NEW VERSIONS: exchanged bytes carry this number.
    public static let formatVersion: UInt8 = 3

    public struct Opening: Equatable, Sendable {
        public var partition: Int
        public var leafBits: Int
        public var salt: UInt64
        public var root: UInt32
    }

    /// A node by its depth in bits and its index at that depth (see `MerkleTree`).
    public struct NodeRef: Hashable, Sendable {
        public var depth: Int
        public var index: UInt64
        public static let root = NodeRef(depth: 0, index: 0)
    }

    public struct Children: Equatable, Sendable {
        public var parent: NodeRef
        public var childDepth: Int
        public var fingerprints: [UInt32]
        /// Keys under each child, present exactly when `childDepth` is at or below the leaves.
        public var counts: [UInt32]
    }

    public struct KeyList: Equatable, Sendable {
        public var node: NodeRef
        public var fingerprints: [UInt32]
    }

    public struct ObjectCopy: Equatable, Sendable {
        public var key: [UInt8]
        /// `StoredObject.encoded`, kept as bytes so sizes are exact and nothing encodes twice.
        public var encodedObject: [UInt8]
        /// A tombstone past its grace period on the sender: a receiver holding nothing for the
        /// key MUST NOT store it (it purged it, or never needed it; see README, tombstones).
        public var settled = false
        /// The object is an eviction's tombstone (`Keyspace.merge`).
        public var marker = false

        public init(key: [UInt8], encodedObject: [UInt8], settled: Bool = false, marker: Bool = false) {
            self.key = key
            self.encodedObject = encodedObject
            self.settled = settled
            self.marker = marker
        }
    }

    public var session: UInt64
    public var sequence: UInt64
    public var fromInitiator: Bool
    /// The sender needs no reply: the exchange is over once the receiver has merged `objects`.
    public var isFinal = false
    /// The sender has queued work that did not fit: the receiver MUST reply even if empty.
    public var hasMore = false
    /// The sender dropped work at a bound during this session: the two replicas cannot count
    /// this exchange as an agreement, whatever its end.
    public var senderDropped = false
    public var opening: Opening?
    public var nodes: [Children] = []
    public var keyLists: [KeyList] = []
    public var pulls: [UInt32] = []
    public var objects: [ObjectCopy] = []

    public init(session: UInt64, sequence: UInt64, fromInitiator: Bool) {
        self.session = session
        self.sequence = sequence
        self.fromInitiator = fromInitiator
    }

    public var frameType: MessageType { fromInitiator ? .merkleRequest : .merkleReply }

    /// Whether the message asks nothing of its receiver beyond merging its objects.
    public var asksNothing: Bool { nodes.isEmpty && keyLists.isEmpty && pulls.isEmpty && !hasMore }
}

// MARK: Encoding

extension ExchangeMessage {
    static let flagFromInitiator: UInt8 = 1
    static let flagFinal: UInt8 = 2
    static let flagMore: UInt8 = 4
    static let flagOpening: UInt8 = 8
    static let flagDropped: UInt8 = 16
    static let objectFlagSettled: UInt8 = 1
    static let objectFlagMarker: UInt8 = 2
    static let maxDepthBits = 63

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: encodedByteCount)
        encode(into: &writer)
        return writer.takeBytes()
    }

    public func encode(into writer: inout ByteWriter) {
        writer.u8(ExchangeMessage.formatVersion)
        var flags: UInt8 = fromInitiator ? ExchangeMessage.flagFromInitiator : 0
        if isFinal { flags |= ExchangeMessage.flagFinal }
        if hasMore { flags |= ExchangeMessage.flagMore }
        if opening != nil { flags |= ExchangeMessage.flagOpening }
        if senderDropped { flags |= ExchangeMessage.flagDropped }
        writer.u8(flags)
        writer.varint(session)
        writer.varint(sequence)
        if let opening {
            writer.varint(UInt64(opening.partition))
            writer.u8(UInt8(opening.leafBits))
            writer.u64(opening.salt)
            writer.u32(opening.root)
        }
        writer.varint(UInt64(nodes.count))
        for section in nodes {
            let step = section.childDepth - section.parent.depth
            writer.u8(UInt8(section.parent.depth))
            writer.u8(UInt8(step) | (section.counts.isEmpty ? 0 : 0x80))
            writer.varint(section.parent.index)
            for f in section.fingerprints { writer.u32(f) }
            for c in section.counts { writer.varint(UInt64(c)) }
        }
        writer.varint(UInt64(keyLists.count))
        for list in keyLists {
            writer.u8(UInt8(list.node.depth))
            writer.varint(list.node.index)
            writer.varint(UInt64(list.fingerprints.count))
            for f in list.fingerprints { writer.u32(f) }
        }
        writer.varint(UInt64(pulls.count))
        for f in pulls { writer.u32(f) }
        writer.varint(UInt64(objects.count))
        for copy in objects {
            writer.lengthPrefixed(copy.key)
            writer.u8(
                (copy.settled ? ExchangeMessage.objectFlagSettled : 0)
                    | (copy.marker ? ExchangeMessage.objectFlagMarker : 0))
            writer.append(copy.encodedObject)
        }
    }

    /// The exact length of `encoded`, without encoding.
    public var encodedByteCount: Int {
        var n = 2 + Self.varintSize(session) + Self.varintSize(sequence)
        if let opening { n += Self.varintSize(UInt64(opening.partition)) + 1 + 8 + 4 }
        n += Self.varintSize(UInt64(nodes.count)) + nodes.reduce(0) { $0 + Self.size(of: $1) }
        n += Self.varintSize(UInt64(keyLists.count)) + keyLists.reduce(0) { $0 + Self.size(of: $1) }
        n += Self.varintSize(UInt64(pulls.count)) + 4 * pulls.count
        n += Self.varintSize(UInt64(objects.count)) + objects.reduce(0) { $0 + Self.size(of: $1) }
        return n
    }

    static func varintSize(_ v: UInt64) -> Int { v < 0x80 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7 }

    static func size(of section: Children) -> Int {
        2 + varintSize(section.parent.index) + 4 * section.fingerprints.count
            + section.counts.reduce(0) { $0 + varintSize(UInt64($1)) }
    }

    static func size(of list: KeyList) -> Int {
        1 + varintSize(list.node.index) + varintSize(UInt64(list.fingerprints.count)) + 4 * list.fingerprints.count
    }

    static func size(of copy: ObjectCopy) -> Int {
        varintSize(UInt64(copy.key.count)) + copy.key.count + 1 + copy.encodedObject.count
    }
}

// MARK: Decoding

extension ExchangeMessage {
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        let version = try reader.u8()
        guard version == ExchangeMessage.formatVersion else { throw .unsupportedVersion(version) }
        let flags = try reader.u8()
        guard flags & ~0x1F == 0 else { throw .malformed("unknown exchange flags \(flags)") }
        self.init(
            session: try reader.varint(), sequence: try reader.varint(),
            fromInitiator: flags & ExchangeMessage.flagFromInitiator != 0)
        isFinal = flags & ExchangeMessage.flagFinal != 0
        hasMore = flags & ExchangeMessage.flagMore != 0
        senderDropped = flags & ExchangeMessage.flagDropped != 0
        if flags & ExchangeMessage.flagOpening != 0 {
            guard fromInitiator, sequence == 0 else { throw .malformed("opening not the initiator's first turn") }
            let partition = try reader.varint()
            let leafBits = Int(try reader.u8())
            guard partition < 1 << 32, leafBits < 32 else { throw .malformed("opening layout out of range") }
            let salt = try reader.u64()
            opening = Opening(partition: Int(partition), leafBits: leafBits, salt: salt, root: try reader.u32())
        }
        for _ in 0..<(try reader.count(minimumItemSize: 11)) { nodes.append(try Self.decodeChildren(&reader)) }
        for _ in 0..<(try reader.count(minimumItemSize: 3)) { keyLists.append(try Self.decodeKeyList(&reader)) }
        for _ in 0..<(try reader.count(minimumItemSize: 4)) { pulls.append(try reader.u32()) }
        for _ in 0..<(try reader.count(minimumItemSize: 4)) {
            let key = try reader.lengthPrefixed()
            let objectFlags = try reader.u8()
            guard objectFlags & ~(ExchangeMessage.objectFlagSettled | ExchangeMessage.objectFlagMarker) == 0 else {
                throw .malformed("unknown object flags \(objectFlags)")
            }
            let start = reader.offset
            _ = try StoredObject.decode(from: &reader)
            objects.append(
                ObjectCopy(
                    key: key, encodedObject: Array(reader.bytes[start..<reader.offset]),
                    settled: objectFlags & ExchangeMessage.objectFlagSettled != 0,
                    marker: objectFlags & ExchangeMessage.objectFlagMarker != 0))
        }
        try reader.expectEnd()
    }

    static func decodeNode(_ reader: inout ByteReader, depth: UInt8) throws(DecodeError) -> NodeRef {
        guard Int(depth) <= maxDepthBits else { throw .malformed("depth \(depth) past \(maxDepthBits)") }
        let index = try reader.varint()
        guard depth == 0 ? index == 0 : index >> UInt64(depth) == 0 else {
            throw .malformed("index \(index) outside depth \(depth)")
        }
        return NodeRef(depth: Int(depth), index: index)
    }

    static func decodeChildren(_ reader: inout ByteReader) throws(DecodeError) -> Children {
        let depth = try reader.u8()
        let stepByte = try reader.u8()
        let step = Int(stepByte & 0x7F)
        guard (1...MerkleTree.bitsPerLevel).contains(step), Int(depth) + step <= maxDepthBits else {
            throw .malformed("child step \(step) from depth \(depth)")
        }
        let parent = try decodeNode(&reader, depth: depth)
        let n = 1 << step
        guard reader.remaining >= 4 * n else { throw .truncated }
        var section = Children(parent: parent, childDepth: Int(depth) + step, fingerprints: [], counts: [])
        section.fingerprints.reserveCapacity(n)
        for _ in 0..<n { section.fingerprints.append(try reader.u32()) }
        if stepByte & 0x80 != 0 {
            for _ in 0..<n {
                let count = try reader.varint()
                guard count <= UInt64(UInt32.max) else { throw .malformed("key count \(count)") }
                section.counts.append(UInt32(count))
            }
        }
        return section
    }

    static func decodeKeyList(_ reader: inout ByteReader) throws(DecodeError) -> KeyList {
        let node = try decodeNode(&reader, depth: try reader.u8())
        var list = KeyList(node: node, fingerprints: [])
        for _ in 0..<(try reader.count(minimumItemSize: 4)) { list.fingerprints.append(try reader.u32()) }
        return list
    }
}
