import HearsayCore

/// Watches every status change as it happens and keeps what the scenarios judge:
/// invariants that must hold at every step (violations), and accusations of
/// nodes that were in fact running (false downs), with when each observer first
/// saw each member down.
public final class MembershipChecker {
    /// Broken invariants, in the order seen. Any entry fails a run.
    public private(set) var violations: [String] = []
    /// (virtual time, observer, subject) for every `down` of a node that was running
    /// at that incarnation (a down about an older incarnation is stale, not false).
    public private(set) var falseDowns: [(time: Int64, observer: Int, subject: Int)] = []
    /// How many times any observer marked a running node suspect (one suspicion seen
    /// by 1000 observers counts 1000 times).
    public private(set) var falseSuspicions = 0
    /// Virtual time at which each observer first marked each subject down.
    public private(set) var firstDown: [Int: [Int: Int64]] = [:]
    /// Per observer, the incarnations it last reported per member, to check they never go back.
    private var lastIncarnation: [Int: [NodeID: UInt64]] = [:]
    private let indexOf: [NodeID: Int]
    /// Ground truth supplied by the cluster: is this node running right now?
    private let isRunning: (Int) -> Bool
    /// Subjects whose accusation is expected (crashed, left, cut off on purpose).
    public var expectedDown: Set<Int> = []
    /// Restarted nodes that have not yet raised their incarnation: a down about
    /// them is still about their previous life.
    private var awaitingRefutation: Set<Int> = []

    /// Ground truth: the incarnation a running node currently announces for itself.
    private let incarnationOf: (Int) -> UInt64?

    init(ids: [NodeID], isRunning: @escaping (Int) -> Bool, incarnationOf: @escaping (Int) -> UInt64?) {
        self.incarnationOf = incarnationOf
        var map: [NodeID: Int] = [:]
        for (i, id) in ids.enumerated() { map[id] = i }
        indexOf = map
        self.isRunning = isRunning
    }

    /// The observer restarted: its view starts over. A node that restarts at its old
    /// incarnation must refute before accusations about it count as false; one that
    /// starts at a higher incarnation (`refutesFirst == false`) need not.
    func reset(observer: Int, refutesFirst: Bool = true) {
        lastIncarnation[observer] = nil
        if refutesFirst { awaitingRefutation.insert(observer) }
    }

    /// Records a broken invariant found by another checker.
    func violation(_ text: String) { violations.append(text) }

    func observe(time: Int64, observer: Int, _ observation: MembershipNode.Observation) {
        switch observation {
        case .undecodable(let error):
            violations.append("node \(observer) could not decode a frame: \(error)")
        case .changed(let change):
            record(time: time, observer: observer, change)
        }
    }

    /// Judges one membership change reported by `observer`.
    func record(time: Int64, observer: Int, _ change: MembershipChange) {
        guard let current = change.current else {
            lastIncarnation[observer, default: [:]][change.id] = nil
            return
        }
        if let last = lastIncarnation[observer]?[change.id], current.incarnation < last {
            violations.append("node \(observer) moved \(change.id) back from incarnation \(last): \(change)")
        }
        lastIncarnation[observer, default: [:]][change.id] = current.incarnation
        guard let subject = indexOf[change.id] else {
            violations.append("node \(observer) learned of a node that does not exist: \(change)")
            return
        }
        if subject == observer && (current.status == .suspect || current.status == .down) {
            violations.append("node \(observer) marked itself \(current.status)")
        }
        guard subject != observer else {
            if let previous = change.previous, current.incarnation > previous.incarnation {
                awaitingRefutation.remove(subject)
            }
            return
        }
        let runningForReal =
            isRunning(subject) && !expectedDown.contains(subject)
            && !awaitingRefutation.contains(subject)
            && current.incarnation >= (incarnationOf(subject) ?? 0)
        if current.status == .down {
            if firstDown[subject]?[observer] == nil { firstDown[subject, default: [:]][observer] = time }
            if runningForReal { falseDowns.append((time, observer, subject)) }
        } else if current.status == .suspect && runningForReal {
            falseSuspicions += 1
        }
    }
}
