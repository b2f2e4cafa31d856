import HearsayCore

/// Adapts `Membership` to the simulator. Messages travel as encoded bytes, so
/// every simulated run also exercises the wire codec; a frame that fails to
/// decode is dropped and counted, as the runtime would.
public struct MembershipNode: SimulatedNode {
    public typealias Message = [UInt8]
    public typealias Timer = MembershipTimer

    /// A status change seen by this node, or a frame it had to drop.
    public enum Observation {
        case changed(MembershipChange)
        case undecodable(DecodeError)
    }

    public var membership: Membership
    public let seeds: [String]
    var effects: [MembershipEffect] = []
    var writer = ByteWriter(capacity: 256)
    public private(set) var undecodableFrames = 0

    public init(membership: Membership, seeds: [String]) {
        self.membership = membership
        self.seeds = seeds
        effects.reserveCapacity(64)
    }

    public mutating func start(now: Now, actions: inout SimulatedActions<MembershipNode>) {
        handle(.start(seeds: seeds), now: now, actions: &actions)
    }

    public mutating func receive(_ message: [UInt8], now: Now, actions: inout SimulatedActions<MembershipNode>) {
        do {
            let decoded = try MembershipCodec.decode(message)
            handle(.received(decoded), now: now, actions: &actions)
        } catch {
            undecodableFrames += 1
            actions.observe(.undecodable(error))
        }
    }

    public mutating func timerFired(
        _ timer: MembershipTimer, now: Now,
        actions: inout SimulatedActions<MembershipNode>
    ) {
        handle(.timerFired(timer), now: now, actions: &actions)
    }

    /// Feeds any membership event (leave, forget) and carries out its effects.
    public mutating func handle(
        _ event: MembershipEvent, now: Now,
        actions: inout SimulatedActions<MembershipNode>
    ) {
        effects.removeAll(keepingCapacity: true)
        membership.handle(event, now: now.monotonic, into: &effects)
        for effect in effects {
            switch effect {
            case .send(let message, let address):
                writer.removeAll()
                MembershipCodec.encode(message, into: &writer)
                actions.send(writer.bytes, to: address)
            case .setTimer(let timer, let at):
                actions.setTimer(timer, at: at)
            case .changed(let change):
                actions.observe(.changed(change))
            }
        }
    }
}
