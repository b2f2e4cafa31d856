/// The payloads of replication frames, encoded with ByteWriter (format version first).
/// A frame that does not decode is counted and dropped by the receiver.
///
/// Writes and reads travel in batches: everything a coordinator sends one peer during a
/// batch of client requests leaves in one frame (see `PeerOutbox`).
enum ReplicationMessages {
    /// 2: writes and reads carry the coordinator's basis digest, acks and read replies say
    /// whether the replica's copy matched it. 3: writes and read replies say when the object
    /// is an eviction marker.
    static let version: UInt8 = 3

    /// One replica write: the key's whole object (a state-based CRDT, so the receiver just
    /// merges it), and the owner it stands in for when the receiver holds it as a hint.
    ///
    /// A checked write carries `basis`, the digest of the coordinator's copy before the write
    /// (`CopyDigest`): the replica reports whether its own copy matched it before merging, so
    /// one round trip both writes and reads (see `Node+CheckedWrite`).
    struct Write: Equatable {
        var requestID: UInt64
        var key: [UInt8]
        var object: [UInt8]
        var hintFor: NodeID?
        var basis: UInt64? = nil
        /// The object is an eviction's tombstone (`Keyspace.merge`).
        var marker = false
    }

    struct Ack: Equatable {
        enum Status: Equatable {
            /// Applied (an unchecked write, or one kept as a hint for another owner).
            case applied
            /// A checked write: the replica's copy equalled the basis before the merge.
            case matched
            /// A checked write: the copies differed; this is the replica's copy after the merge.
            case differed([UInt8])
        }
        var requestID: UInt64
        var status: Status = .applied

        /// What it acknowledges, read from the id and status (their wire form is unchanged).
        var acknowledges: Acknowledged {
            switch status {
            case .applied:
                if requestID & HintStore.replayBit != 0 { return .hintReplay(id: requestID & ~HintStore.replayBit) }
                return .write(requestID: requestID)
            case .matched: return .checkedWrite(requestID: requestID, matched: true, copy: [])
            case .differed(let copy): return .checkedWrite(requestID: requestID, matched: false, copy: copy)
            }
        }
    }

    /// The three things an acknowledgement can mean.
    enum Acknowledged: Equatable {
        /// A replica (or stand-in) holds write `requestID`.
        case write(requestID: UInt64)
        /// An owner's answer to checked write `requestID`: its copy matched the basis, or
        /// differed and is `copy` as it was before the merge.
        case checkedWrite(requestID: UInt64, matched: Bool, copy: [UInt8])
        /// The owner holds the hint replayed as `id`.
        case hintReplay(id: UInt64)
    }

    /// A read of `key`; `basis` is the digest of the coordinator's copy, so a replica holding
    /// the same state answers `same` instead of sending it.
    struct Read: Equatable {
        var requestID: UInt64
        var key: [UInt8]
        var basis: UInt64 = 0
    }

    /// A replica's copy of a key (empty `object` when it holds none), or `same`; `marker`
    /// when the copy is an eviction's tombstone.
    struct ReadReply: Equatable {
        var requestID: UInt64
        var object: [UInt8]
        var same = false
        var marker = false
    }

    /// A client request handed to a replica of its key; `hops` stops forwarding loops.
    struct Forward: Equatable {
        var requestID: UInt64
        var readQuorum: UInt8
        var writeQuorum: UInt8
        var hops: UInt8
        var protocolVersion: UInt8
        var arguments: [[UInt8]]
    }

    /// The RESP reply to a forwarded request, relayed to the client as is.
    struct ForwardReply: Equatable {
        var requestID: UInt64
        var reply: [UInt8]
    }

    // MARK: Batches: sender, then count, then items.

    static func encodeBatch<T>(sender: NodeID, _ items: [T], _ encodeItem: (T, inout ByteWriter) -> Void) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.u8(version)
        w.u64(sender.rawValue)
        w.varint(UInt64(items.count))
        for item in items { encodeItem(item, &w) }
        return w.takeBytes()
    }

    /// A batch's header: the format version (refused unless current), the sender, and the
    /// item count (refused when the rest could not hold that many items).
    static func decodeBatchHeader(_ r: inout ByteReader, minimumItemSize: Int) throws(DecodeError) -> (
        sender: NodeID, count: Int
    ) {
        let v = try r.u8()
        guard v == version else { throw .unsupportedVersion(v) }
        let sender = NodeID(try r.u64())
        return (sender, try r.count(minimumItemSize: minimumItemSize))
    }

    static func decodeBatch<T>(
        _ bytes: [UInt8], minimumItemSize: Int,
        _ decodeItem: (inout ByteReader) throws(DecodeError) -> T
    )
        throws(DecodeError) -> (sender: NodeID, items: [T])
    {
        var r = ByteReader(bytes)
        let (sender, count) = try decodeBatchHeader(&r, minimumItemSize: minimumItemSize)
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try decodeItem(&r)) }
        try r.expectEnd()
        return (sender, items)
    }

    static func encode(_ m: Write, into w: inout ByteWriter) {
        m.key.withUnsafeBytes { key in
            m.object.withUnsafeBytes { object in
                encodeWrite(
                    requestID: m.requestID, key: key, object: object, hintFor: m.hintFor, basis: m.basis,
                    marker: m.marker, into: &w)
            }
        }
    }

    /// A write from its parts (the outbox encodes straight from a key's and object's bytes).
    static func encodeWrite(
        requestID: UInt64, key: UnsafeRawBufferPointer, object: UnsafeRawBufferPointer, hintFor: NodeID?,
        basis: UInt64?, marker: Bool = false, into w: inout ByteWriter
    ) {
        w.varint(requestID)
        w.lengthPrefixed(key)
        w.lengthPrefixed(object)
        w.u64(hintFor?.rawValue ?? 0)
        encodeWriteFlags(basis: basis, marker: marker, into: &w)
    }

    static let writeFlagBasis: UInt8 = 1
    static let writeFlagMarker: UInt8 = 2

    /// A write's flags byte (1: a basis digest follows, 2: the object is an eviction marker),
    /// then the basis when there is one.
    static func encodeWriteFlags(basis: UInt64?, marker: Bool, into w: inout ByteWriter) {
        w.u8((basis == nil ? 0 : writeFlagBasis) | (marker ? writeFlagMarker : 0))
        if let basis { w.u64(basis) }
    }

    static func decodeWriteFlags(_ r: inout ByteReader) throws(DecodeError) -> (basis: UInt64?, marker: Bool) {
        let flags = try r.u8()
        guard flags & ~(writeFlagBasis | writeFlagMarker) == 0 else { throw .malformed("write flags \(flags)") }
        return (flags & writeFlagBasis != 0 ? try r.u64() : nil, flags & writeFlagMarker != 0)
    }

    static func decodeWrite(_ r: inout ByteReader) throws(DecodeError) -> Write {
        let id = try r.varint()
        let key = try r.lengthPrefixed()
        let object = try r.lengthPrefixed()
        let hint = try r.u64()
        let (basis, marker) = try decodeWriteFlags(&r)
        return Write(
            requestID: id, key: key, object: object, hintFor: hint == 0 ? nil : NodeID(hint), basis: basis,
            marker: marker)
    }

    static func encode(_ m: Ack, into w: inout ByteWriter) {
        w.varint(m.requestID)
        switch m.status {
        case .applied: w.u8(0)
        case .matched: w.u8(1)
        case .differed(let copy):
            w.u8(2)
            w.lengthPrefixed(copy)
        }
    }

    static func decodeAck(_ r: inout ByteReader) throws(DecodeError) -> Ack {
        let id = try r.varint()
        switch try r.u8() {
        case 0: return Ack(requestID: id, status: .applied)
        case 1: return Ack(requestID: id, status: .matched)
        case 2: return Ack(requestID: id, status: .differed(try r.lengthPrefixed()))
        case let status: throw .malformed("write ack status \(status)")
        }
    }

    static func encode(_ m: Read, into w: inout ByteWriter) {
        m.key.withUnsafeBytes { encodeRead(requestID: m.requestID, key: $0, basis: m.basis, into: &w) }
    }

    /// A read from its parts (the outbox encodes straight from the request's key bytes).
    static func encodeRead(requestID: UInt64, key: UnsafeRawBufferPointer, basis: UInt64, into w: inout ByteWriter) {
        w.varint(requestID)
        w.lengthPrefixed(key)
        w.u64(basis)
    }

    static func decodeRead(_ r: inout ByteReader) throws(DecodeError) -> Read {
        Read(requestID: try r.varint(), key: try r.lengthPrefixed(), basis: try r.u64())
    }

    static func encode(_ m: ReadReply, into w: inout ByteWriter) {
        m.object.withUnsafeBytes {
            encodeReadReply(requestID: m.requestID, same: m.same, marker: m.marker, object: $0, into: &w)
        }
    }

    /// A read reply from its parts (a replica encodes straight into its outbox): a byte (0 a
    /// copy, 1 same, 2 a copy that is an eviction marker), then the copy.
    static func encodeReadReply(
        requestID: UInt64, same: Bool, marker: Bool = false, object: UnsafeRawBufferPointer, into w: inout ByteWriter
    ) {
        w.varint(requestID)
        w.u8(same ? 1 : marker ? 2 : 0)
        if !same { w.lengthPrefixed(object) }
    }

    static func decodeReadReply(_ r: inout ByteReader) throws(DecodeError) -> ReadReply {
        let id = try r.varint()
        switch try r.u8() {
        case 0: return ReadReply(requestID: id, object: try r.lengthPrefixed())
        case 1: return ReadReply(requestID: id, object: [], same: true)
        case 2: return ReadReply(requestID: id, object: try r.lengthPrefixed(), marker: true)
        case let flag: throw .malformed("read reply flag \(flag)")
        }
    }

    static func encode(_ m: Forward, into w: inout ByteWriter) {
        w.varint(m.requestID)
        w.u8(m.readQuorum)
        w.u8(m.writeQuorum)
        w.u8(m.hops)
        w.u8(m.protocolVersion)
        w.varint(UInt64(m.arguments.count))
        for a in m.arguments { w.lengthPrefixed(a) }
    }

    static func decodeForward(_ r: inout ByteReader) throws(DecodeError) -> Forward {
        let id = try r.varint()
        let rq = try r.u8()
        let wq = try r.u8()
        let hops = try r.u8()
        let protocolVersion = try r.u8()
        let n = try r.count(minimumItemSize: 1)
        guard n > 0 else { throw .malformed("forwarded request without arguments") }
        var args: [[UInt8]] = []
        args.reserveCapacity(n)
        for _ in 0..<n { args.append(try r.lengthPrefixed()) }
        return Forward(
            requestID: id, readQuorum: rq, writeQuorum: wq, hops: hops, protocolVersion: protocolVersion,
            arguments: args)
    }

    static func encode(_ m: ForwardReply, into w: inout ByteWriter) {
        w.varint(m.requestID)
        w.lengthPrefixed(m.reply)
    }

    static func decodeForwardReply(_ r: inout ByteReader) throws(DecodeError) -> ForwardReply {
        ForwardReply(requestID: try r.varint(), reply: try r.lengthPrefixed())
    }
}
