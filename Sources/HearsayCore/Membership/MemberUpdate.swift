/// A claim about one member, as disseminated by gossip and push-pull.
///
/// `accuser` names the node that suspects the member (only for `.suspect`);
/// distinct accusers count as independent confirmations (Lifeguard IV.B).
public struct MemberUpdate: Hashable, Sendable, CustomStringConvertible {
    public var member: Member
    public var accuser: NodeID?

    public init(_ member: Member, accuser: NodeID? = nil) {
        self.member = member
        self.accuser = member.status == .suspect ? accuser : nil
    }

    public var description: String {
        if let accuser { return "\(member) by \(accuser)" }
        return member.description
    }
}
