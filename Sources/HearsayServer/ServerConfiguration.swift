import HearsayCore
import RESP

/// How one node's runtime is set up. Every bound is documented with its unit.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; loopback unless told otherwise.
    public var bindAddress = "127.0.0.1"
    /// Client (RESP) port; 0 picks a free port (tests).
    public var port = 7379
    /// Peer port, TCP (streams) and UDP (datagrams). nil = client port + 10000; 0 picks a free port.
    public var clusterPort: Int? = nil
    /// Host peers use to reach this node; nil = the bind address (which must then not be a wildcard).
    public var advertiseHost: String? = nil
    /// Cluster membership; nil runs the node alone (the peer port is still bound, and ignores frames).
    public var cluster: ClusterConfiguration? = nil
    /// Bounds and timing of the peer transport.
    public var peer = PeerConfiguration()
    /// Most simultaneous clients; one more gets "-ERR max number of clients reached" and is closed.
    public var maxClients = 10_000
    /// Request parsing bounds (bulk length, argument count, inline length).
    public var limits = RESPLimits.standard
    /// Unparsed input a client may accumulate, in bytes (Redis client-query-buffer-limit, 1 GiB).
    public var maxQueryBufferBytes = 1 << 30
    /// Pending reply bytes past which a client's reads are paused until it drains them.
    public var outputSoftLimitBytes = 8 << 20
    /// Pending reply bytes past which a client is disconnected.
    public var outputHardLimitBytes = 256 << 20
    /// How long a client may stay above the soft limit before it is disconnected, in milliseconds.
    public var outputSoftLimitMilliseconds: Int64 = 60_000
    /// How long the loop keeps polling after its last input before it sleeps, in
    /// microseconds (0 = never poll: sleep as soon as nothing is ready). See Server+BusyPoll.
    public var busyPollMicroseconds = 50
    /// The node's own settings.
    public var node = NodeSettings()

    public init() {}

    public var effectiveClusterPort: Int { clusterPort ?? (port == 0 ? 0 : port + 10_000) }
}

/// How the node takes part in a cluster (the CLI fills it; the server adds its address).
public struct ClusterConfiguration: Sendable {
    public var nodeID: NodeID
    /// Cluster ports of the nodes to join through ("host:port").
    public var seeds: [String] = []
    /// Frames carry a MAC over this name, so two clusters on one network never merge.
    public var clusterName = "hearsay"
    /// Shared secret for frame authentication; empty = none (frames still carry the name check).
    public var key: [UInt8] = []
    public var membership: MembershipSettings = .lan
    public var replicationFactor = 3
    /// Default read and write quorums (R, W); connections may override them (HS.CONSISTENCY).
    public var readQuorum = 2
    public var writeQuorum = 2
    /// Sloppy quorum's hints for down replicas (off: anti-entropy alone repairs them).
    public var hintsEnabled = true
    /// Whether HS.FAULT may drop or delay traffic with given peers (off: it is refused).
    public var faultInjectionEnabled = false
    /// Bytes per second anti-entropy may send (0 = no limit); see ClusterSettings.
    public var antiEntropyBytesPerSecond = 16 << 20
    /// Milliseconds between exchange starts (0 = none); see ClusterSettings.
    public var antiEntropyIntervalMilliseconds: Int64 = 20
    /// Starting incarnation; nil = wall-clock milliseconds at start, so a restarted node
    /// outranks everything its previous run announced.
    public var incarnation: UInt64? = nil

    public init(nodeID: NodeID) {
        self.nodeID = nodeID
    }
}

/// Bounds of the peer transport; every one says what happens when it is reached.
public struct PeerConfiguration: Sendable {
    /// Bytes a stream peer may have queued and unacknowledged by the socket; a frame that
    /// would pass it is dropped and counted (push-pull repeats; anti-entropy repairs). An
    /// empty queue always takes one frame, however large, so no state is too big to send.
    public var sendQueueLimitBytes = 4 << 20
    /// Largest frame sent as one datagram; a larger datagram-channel frame goes by stream.
    /// 1400 bytes fits a 1500-byte Ethernet MTU without IP fragmentation.
    public var maximumDatagramBytes = 1_400
    /// Bytes of datagrams handed to the kernel but not yet sent; past it datagrams are dropped.
    public var datagramInFlightLimitBytes = 1 << 20
    /// Largest frame payload accepted on a stream; a larger one closes the connection.
    public var maximumFramePayloadBytes = FrameDecoder.defaultMaximumPayloadBytes
    /// Reconnect backoff: first delay, doubled per consecutive failure up to the maximum,
    /// each jittered to between half and all of its nominal value. Milliseconds.
    public var reconnectBaseMilliseconds: Int64 = 100
    public var reconnectMaximumMilliseconds: Int64 = 10_000
    /// Consecutive failed connection attempts after which a peer's queued frames are
    /// dropped (counted); the next frame for it starts trying again.
    public var reconnectAttemptsBeforeDropping = 8
    /// A connection that dies sooner than this after opening counts as a failed attempt
    /// (a peer that accepts and then refuses must not get a reconnect storm). Milliseconds.
    public var stableConnectionMilliseconds: Int64 = 1_000
    /// Incoming peer connections at once; more are closed at accept.
    public var maximumIncomingConnections = 1_024
    /// After SIGINT/SIGTERM, how long the loop keeps running so the leave spreads. Milliseconds.
    public var leaveGraceMilliseconds: Int64 = 1_000
    /// At most one warning per kind of peer trouble per interval. Milliseconds.
    public var warningIntervalMilliseconds: Int64 = 10_000

    public init() {}
}
