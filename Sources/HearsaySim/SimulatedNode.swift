import HearsayCore

/// A state machine the simulator can drive: the membership instance today, the
/// full Hearsay node later. The simulator owns time, the network and faults; the
/// node only reacts, writing what it wants into `actions` (a buffer the simulator
/// owns and reuses).
public protocol SimulatedNode {
    associatedtype Message
    associatedtype Timer
    /// Something a checker may want to see (a status change, a reply).
    associatedtype Observation

    /// Called once per life, when the node (re)starts.
    /// `now` is the node's own clocks: timers are set on `now.monotonic`.
    mutating func start(now: Now, actions: inout SimulatedActions<Self>)
    mutating func receive(_ message: Message, now: Now, actions: inout SimulatedActions<Self>)
    mutating func timerFired(_ timer: Timer, now: Now, actions: inout SimulatedActions<Self>)

    /// Whether `message` travels on a stream (a TCP connection): never lost, duplicated or
    /// reordered on its link, but cut by a partition and reset when either end restarts.
    /// Anything else is a datagram, which the network model may lose, duplicate and reorder.
    static func travelsOnStream(_ message: Message) -> Bool
}

extension SimulatedNode {
    /// Datagrams only, unless the node says otherwise.
    public static func travelsOnStream(_ message: Message) -> Bool { false }
}

/// What a node asked for while handling one event. Timer times are on the node's own
/// monotonic clock; the simulator maps them back to virtual time.
public struct SimulatedActions<Node: SimulatedNode> {
    public var sends: [(message: Node.Message, address: String)] = []
    public var timers: [(timer: Node.Timer, at: Instant)] = []
    public var observations: [Node.Observation] = []

    public init() {
        sends.reserveCapacity(16)
        timers.reserveCapacity(4)
        observations.reserveCapacity(16)
    }

    public mutating func send(_ message: Node.Message, to address: String) { sends.append((message, address)) }
    public mutating func setTimer(_ timer: Node.Timer, at: Instant) { timers.append((timer, at)) }
    public mutating func observe(_ observation: Node.Observation) { observations.append(observation) }

    mutating func removeAll() {
        sends.removeAll(keepingCapacity: true)
        timers.removeAll(keepingCapacity: true)
        observations.removeAll(keepingCapacity: true)
    }
}
