/// The binary encoding of `MembershipMessage`.
///
///     message  = version:u8 type:u8 sender:member body gossip-count:varint update*
///     member   = id:u64 incarnation:varint status:u8 address:len-prefixed
///     update   = member [accuser:u64 if status == suspect]
///
/// The type numbers are part of the protocol itself: ONLY APPEND to `MessageType`.
/// Decoding rejects unknown versions and types, out-of-range statuses, oversized
/// addresses and lists, and trailing bytes, with a `DecodeError`; it never traps.
public enum MembershipCodec {
    public static let version: UInt8 = 1
    /// Longest address accepted, in bytes.
    public static let maxAddressBytes = 255
    /// Most updates one message may piggyback.
    public static let maxPiggybackUpdates = 64
    /// Most members one push-pull state may carry.
    public static let maxStateMembers = 65_536

    enum MessageType: UInt8 {
        case ping = 1
        case ack = 2
        case pingRequest = 3
        case nack = 4
        case pushPull = 5
        case leave = 6
    }

    public static func encode(_ message: MembershipMessage, into writer: inout ByteWriter) {
        writer.u8(version)
        switch message.body {
        case .ping(let sequence, let target):
            writer.u8(MessageType.ping.rawValue)
            writeMember(message.sender, into: &writer)
            writer.varint(sequence)
            writer.u64(target.rawValue)
        case .ack(let sequence):
            writer.u8(MessageType.ack.rawValue)
            writeMember(message.sender, into: &writer)
            writer.varint(sequence)
        case .pingRequest(let sequence, let target, let targetAddress):
            writer.u8(MessageType.pingRequest.rawValue)
            writeMember(message.sender, into: &writer)
            writer.varint(sequence)
            writer.u64(target.rawValue)
            writeAddress(targetAddress, into: &writer)
        case .nack(let sequence):
            writer.u8(MessageType.nack.rawValue)
            writeMember(message.sender, into: &writer)
            writer.varint(sequence)
        case .pushPull(let isJoin, let isReply, let members):
            writer.u8(MessageType.pushPull.rawValue)
            writeMember(message.sender, into: &writer)
            writer.u8((isJoin ? 1 : 0) | (isReply ? 2 : 0))
            precondition(members.count <= maxStateMembers, "push-pull of \(members.count) members")
            writeUpdates(members, into: &writer)
        case .leave:
            writer.u8(MessageType.leave.rawValue)
            writeMember(message.sender, into: &writer)
        }
        precondition(message.gossip.count <= maxPiggybackUpdates, "gossip of \(message.gossip.count) updates")
        writeUpdates(message.gossip, into: &writer)
    }

    public static func encode(_ message: MembershipMessage) -> [UInt8] {
        var writer = ByteWriter(capacity: 128)
        encode(message, into: &writer)
        return writer.takeBytes()
    }

    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> MembershipMessage {
        var reader = ByteReader(bytes)
        let v = try reader.u8()
        guard v == version else { throw .unsupportedVersion(v) }
        let rawType = try reader.u8()
        guard let type = MessageType(rawValue: rawType) else { throw .malformed("message type \(rawType)") }
        let sender = try readMember(&reader)
        let body: MembershipMessage.Body
        switch type {
        case .ping:
            body = .ping(sequence: try reader.varint(), target: NodeID(try reader.u64()))
        case .ack:
            body = .ack(sequence: try reader.varint())
        case .pingRequest:
            let sequence = try reader.varint()
            let target = NodeID(try reader.u64())
            body = .pingRequest(sequence: sequence, target: target, targetAddress: try readAddress(&reader))
        case .nack:
            body = .nack(sequence: try reader.varint())
        case .pushPull:
            let flags = try reader.u8()
            guard flags & ~3 == 0 else { throw .malformed("push-pull flags \(flags)") }
            let members = try readUpdates(&reader, limit: maxStateMembers)
            body = .pushPull(isJoin: flags & 1 != 0, isReply: flags & 2 != 0, members: members)
        case .leave:
            body = .leave
        }
        let gossip = try readUpdates(&reader, limit: maxPiggybackUpdates)
        try reader.expectEnd()
        return MembershipMessage(sender: sender, body: body, gossip: gossip)
    }

    static func writeMember(_ member: Member, into writer: inout ByteWriter) {
        writer.u64(member.id.rawValue)
        writer.varint(member.incarnation)
        writer.u8(member.status.rawValue)
        writeAddress(member.address, into: &writer)
    }

    static func writeAddress(_ address: String, into writer: inout ByteWriter) {
        let utf8 = Array(address.utf8)
        precondition(utf8.count <= maxAddressBytes, "address of \(utf8.count) bytes: \(address)")
        writer.lengthPrefixed(utf8)
    }

    static func writeUpdates(_ updates: [MemberUpdate], into writer: inout ByteWriter) {
        writer.varint(UInt64(updates.count))
        for update in updates {
            writeMember(update.member, into: &writer)
            if update.member.status == .suspect { writer.u64((update.accuser ?? update.member.id).rawValue) }
        }
    }

    static func readMember(_ reader: inout ByteReader) throws(DecodeError) -> Member {
        let id = NodeID(try reader.u64())
        let incarnation = try reader.varint()
        let rawStatus = try reader.u8()
        guard let status = MemberStatus(rawValue: rawStatus) else { throw .malformed("member status \(rawStatus)") }
        return Member(id: id, address: try readAddress(&reader), incarnation: incarnation, status: status)
    }

    static func readAddress(_ reader: inout ByteReader) throws(DecodeError) -> String {
        let bytes = try reader.lengthPrefixed()
        guard bytes.count <= maxAddressBytes else { throw .malformed("address of \(bytes.count) bytes") }
        guard let address = String(validating: bytes, as: UTF8.self) else { throw .malformed("address not UTF-8") }
        return address
    }

    /// The smallest encoded member: id (8) + incarnation (1) + status (1) + address length (1).
    static let minimumMemberBytes = 11

    static func readUpdates(_ reader: inout ByteReader, limit: Int) throws(DecodeError) -> [MemberUpdate] {
        let count = try reader.count(minimumItemSize: minimumMemberBytes)
        guard count <= limit else { throw .malformed("\(count) updates, limit \(limit)") }
        var updates: [MemberUpdate] = []
        updates.reserveCapacity(count)
        for _ in 0..<count {
            let member = try readMember(&reader)
            let accuser: NodeID? = member.status == .suspect ? NodeID(try reader.u64()) : nil
            updates.append(MemberUpdate(member, accuser: accuser))
        }
        return updates
    }
}
