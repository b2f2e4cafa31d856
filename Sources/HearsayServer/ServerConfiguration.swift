import HearsayCore
import RESP

/// How one node's runtime is set up. Every bound is documented with its unit.
public struct ServerConfiguration: Sendable {
    /// Address to listen on; loopback unless told otherwise.
    public var bindAddress = "127.0.0.1"
    /// Client (RESP) port; 0 picks a free port (tests).
    public var port = 7379
    /// Peer port; reserved now, used by the peer protocol. nil = client port + 10000.
    public var clusterPort: Int? = nil
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
    /// The node's own settings.
    public var node = NodeSettings()

    public init() {}

    public var effectiveClusterPort: Int { clusterPort ?? (port == 0 ? 0 : port + 10_000) }
}
