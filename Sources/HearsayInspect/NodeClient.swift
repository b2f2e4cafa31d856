/// How the inspector talks to one node: send commands, get replies. The TCP client is the
/// real one; tests drive a simulated cluster through the same protocol.
public protocol NodeClient: AnyObject {
    /// Sends one command and returns its reply (an error reply is a value, not a throw).
    func send(_ words: [String]) throws(InspectError) -> RESPValue

    /// Sends several commands and returns their replies in order. The TCP client writes them
    /// all before reading (one round trip); the default sends them one by one.
    func pipeline(_ commands: [[String]]) throws(InspectError) -> [RESPValue]

    func close()
}

extension NodeClient {
    public func pipeline(_ commands: [[String]]) throws(InspectError) -> [RESPValue] {
        var replies: [RESPValue] = []
        for command in commands { replies.append(try send(command)) }
        return replies
    }

    public func close() {}
}

/// Why a node could not be inspected. Each case reads as one line in the inspector's output.
public enum InspectError: Error, Equatable, CustomStringConvertible {
    case unreachable(String)
    case timedOut(String)
    case garbage(String)
    case closed
    case badReply(String)

    public var description: String {
        switch self {
        case .unreachable(let why): return "unreachable: \(why)"
        case .timedOut(let what): return "no answer within the timeout (\(what))"
        case .garbage(let why): return "answers garbage (\(why))"
        case .closed: return "closed the connection"
        case .badReply(let why): return "unexpected reply: \(why)"
        }
    }
}

/// Makes clients for node addresses. `clientAddress(forPeer:)` maps the address a node
/// announces in HS.MEMBERS (its cluster port) to the address clients use.
public protocol NodeConnector {
    func connect(to address: String) throws(InspectError) -> NodeClient
    func clientAddress(forPeer peerAddress: String) -> String
}
