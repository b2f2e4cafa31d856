/// The verdict line. Converged means: every member answered, every partition's replicas hold
/// the same Merkle root, no hint is pending and every node sees the same membership.
enum Verdict {
    static func apply(to s: inout Snapshot, reachableNodes: Int) {
        let unreachable = s.nodes.filter { !$0.reachable }.count
        var parts: [String] = []
        if s.divergentPartitions > 0 || s.unknownPartitions == 0 {
            let known = s.partitions.filter { $0.agree == false && $0.divergentKeys == nil }.count
            var text = "\(s.divergentKeys) keys in \(s.divergentPartitions) partitions differ"
            if known > 0 { text += " (\(known) partitions not walked)" }
            parts.append(text)
        }
        if s.unknownPartitions > 0 {
            parts.append("\(s.unknownPartitions) partitions unknown (a replica did not answer)")
        }
        if s.hintsPending > 0 { parts.append("\(s.hintsPending) hints pending") }
        if !s.membership.disagreements.isEmpty {
            parts.append("\(s.membership.disagreements.count) members seen differently")
        }
        if unreachable > 0 { parts.append("\(unreachable) nodes could not be inspected") }
        if reachableNodes == 0 {
            s.converged = false
            s.verdict = "no node answered"
            return
        }
        s.converged =
            s.divergentPartitions == 0 && s.unknownPartitions == 0 && s.hintsPending == 0
            && s.membership.disagreements.isEmpty && unreachable == 0 && s.problems.isEmpty
        s.verdict =
            s.converged
            ? "converged: \(s.partitionCount) partitions agree on every replica, no hints pending, one membership view"
            : parts.joined(separator: "; ")
    }
}
