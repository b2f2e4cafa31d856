/// What changed about one member in this node's view: reported to the driver for
/// the log and for placement.
///
/// `previous == nil` means the member was just learned of; `current == nil` means
/// an operator forgot it.
public struct MembershipChange: Hashable, Sendable, CustomStringConvertible {
    public var id: NodeID
    public var previous: Member?
    public var current: Member?

    public init(id: NodeID, previous: Member?, current: Member?) {
        self.id = id
        self.previous = previous
        self.current = current
    }

    public var description: String {
        "\(id): \(previous.map { "\($0.status)#\($0.incarnation)" } ?? "unknown") -> "
            + (current.map { "\($0.status)#\($0.incarnation)@\($0.address)" } ?? "forgotten")
    }
}
