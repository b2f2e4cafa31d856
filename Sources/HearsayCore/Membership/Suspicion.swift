/// One running suspicion with Lifeguard's confirmation-shortened timeout
/// (Lifeguard IV.B, memberlist's suspicion.go): it starts at the maximum and
/// falls logarithmically towards the minimum as independent accusers confirm.
struct Suspicion {
    let incarnation: UInt64
    let startedAt: Instant
    let minimumNanoseconds: Int64
    let maximumNanoseconds: Int64
    let expectedConfirmations: Int
    /// Accusers seen so far, the first included; bounded by expectedConfirmations + 1.
    private(set) var accusers: [NodeID]
    /// Added when this node's own loop lagged during the suspicion.
    private(set) var extensionNanoseconds: Int64 = 0

    init(
        incarnation: UInt64, accuser: NodeID, startedAt: Instant, minimumNanoseconds: Int64,
        maximumNanoseconds: Int64, expectedConfirmations: Int
    ) {
        precondition(
            minimumNanoseconds > 0 && maximumNanoseconds >= minimumNanoseconds,
            "suspicion bounds \(minimumNanoseconds)...\(maximumNanoseconds)")
        self.incarnation = incarnation
        self.startedAt = startedAt
        self.minimumNanoseconds = minimumNanoseconds
        self.maximumNanoseconds = maximumNanoseconds
        self.expectedConfirmations = max(0, expectedConfirmations)
        self.accusers = [accuser]
    }

    var confirmations: Int { accusers.count - 1 }

    /// Adds an independent accuser. Returns true if it was new and counted.
    mutating func confirm(by accuser: NodeID) -> Bool {
        guard confirmations < expectedConfirmations, !accusers.contains(accuser) else { return false }
        accusers.append(accuser)
        return true
    }

    mutating func extend(byNanoseconds lag: Int64) { extensionNanoseconds &+= max(0, lag) }

    /// With k = 0 (a cluster too small for k accusers) the minimum applies.
    /// timeout(c) = max - (max - min) * ln(c + 1) / ln(k + 1), never below min.
    var timeoutNanoseconds: Int64 {
        guard expectedConfirmations > 0 else { return minimumNanoseconds }
        guard confirmations > 0 else { return maximumNanoseconds }
        let fraction = naturalLog(Double(confirmations + 1)) / naturalLog(Double(expectedConfirmations + 1))
        let span = Double(maximumNanoseconds - minimumNanoseconds)
        let timeout = Int64(Double(maximumNanoseconds) - fraction * span)
        return max(minimumNanoseconds, timeout)
    }

    var deadline: Instant { startedAt.adding(nanoseconds: timeoutNanoseconds &+ extensionNanoseconds) }
}
