/// What a node knows about one client connection between its requests. The driver
/// owns one per connection and passes it to every `Node.execute` call.
public struct ClientSession: Sendable {
    public let id: UInt64
    public var name: String = ""
    public var libraryName: String = ""
    public var libraryVersion: String = ""
    /// Whether AUTH (or HELLO AUTH) succeeded; true from the start when no password is set.
    public var authenticated: Bool
    /// 2 or 3; mirrored into the connection's ReplyBuffer by the driver after each command.
    public var protocolVersion: Int = 2
    /// Per-connection quorums set by HS.CONSISTENCY; 0 means the cluster's default.
    public var readQuorum: Int = 0
    public var writeQuorum: Int = 0
    /// CLIENT NO-TOUCH ON: this client's commands leave keys' access bits alone (TOUCH aside).
    public var noTouch = false
    /// The database SELECT chose (0 to 15; `Databases`).
    public var db = 0
    /// Between MULTI and EXEC or DISCARD: the commands queued, and whether one was refused
    /// (EXEC then fails with EXECABORT). Nil outside a transaction.
    public var transaction: Transaction? = nil
    /// WATCHed keys with the version each had when watched (`Node+Transactions`).
    public var watched: [WatchedKey] = []

    public init(id: UInt64, authenticated: Bool) {
        self.id = id
        self.authenticated = authenticated
    }
}

/// What the driver does after a command: keep going, or send the replies and close.
public enum CommandOutcome: Equatable, Sendable {
    case proceed
    case closeAfterReply
    /// The reply comes later, with this ticket, in `NodeOutput.replies` (`Node.takeOutput`);
    /// replies to later requests on the same connection must wait for it.
    case deferred(ticket: UInt64)
}

/// Facts only the driver can know (process, sockets), refreshed by it and shown by INFO.
public struct RuntimeFacts: Sendable {
    public var processID: Int = 0
    public var tcpPort: Int = 0
    public var clusterPort: Int = 0
    public var bindAddress: String = "127.0.0.1"
    public var startedAt: Instant = .zero
    public var connectedClients: Int = 0
    public var blockedClients: Int = 0
    public var residentBytes: Int = 0
    /// Bytes held for clients: input buffers, reply buffers and replies queued in libuv.
    public var clientBufferBytes: Int = 0
    /// Bytes held for peers: frames queued or being written, and read buffers.
    public var peerBufferBytes: Int = 0
    public var totalConnectionsReceived: Int = 0
    public var rejectedConnections: Int = 0
    public var inputBytes: Int = 0
    public var outputBytes: Int = 0
    public var maxClients: Int = 10000
    public var executablePath: String = ""
    public var eventLoop: String = "libuv"
    public init() {}
}

/// A connected client as CLIENT LIST shows it.
public struct ClientInfo: Sendable {
    public var id: UInt64
    public var address: String
    public var localAddress: String
    public var connectedAt: Instant
    public var name: String = ""
    public var libraryName: String = ""
    public var libraryVersion: String = ""
    public var lastCommand: String = "NULL"
    public var protocolVersion: Int = 2
    public var db = 0

    public init(id: UInt64, address: String, localAddress: String, connectedAt: Instant) {
        self.id = id
        self.address = address
        self.localAddress = localAddress
        self.connectedAt = connectedAt
    }
}
