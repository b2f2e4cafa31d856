/// Counters shown by INFO stats.
public struct NodeStats: Sendable {
    public var commandsProcessed = 0
    public var keyspaceHits = 0
    public var keyspaceMisses = 0
    public var protocolErrors = 0
    public var errorReplies = 0
    public init() {}
}
