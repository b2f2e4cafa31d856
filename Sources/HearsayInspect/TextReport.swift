/// The at-a-glance text view: verdict, nodes, membership matrix, a partition map, hot
/// partitions, siblings, hints and anti-entropy, in under 100 columns.
public enum TextReport {
    public static func render(_ s: Snapshot) -> String {
        var out: [String] = []
        out.append("VERDICT: \(s.verdict)")
        out.append("")
        out += nodeTable(s)
        out.append("")
        out += membership(s)
        out.append("")
        out += partitionMap(s)
        let hot = s.hotPartitions.prefix(12).map { p -> String in
            let row = s.partitions[p]
            return "p\(p) (keys \(row.keys.map(String.init) ?? "?"), requests \(row.requests.map(String.init) ?? "?"))"
        }
        out.append("hot partitions (> 3x the mean): " + (hot.isEmpty ? "none" : hot.joined(separator: ", ")))
        let siblings = s.siblingKeys.prefix(6).map { "\($0.key) (\($0.siblings))" }.joined(separator: ", ")
        out.append("keys with siblings: \(s.keysWithSiblings)" + (siblings.isEmpty ? "" : ": " + siblings))
        let hints = s.hintsPendingByOwner.sorted { $0.key < $1.key }.map { "\(short($0.key)): \($0.value)" }
        out.append(
            "hints pending: \(s.hintsPending)" + (hints.isEmpty ? "" : " (owner " + hints.joined(separator: ", ") + ")")
        )
        let a = s.antiEntropy
        out.append(
            "anti-entropy: \(a.exchangesFinished) exchanges finished (\(a.exchangesStarted) started, "
                + "\(a.exchangesAborted) aborted), \(a.objectsMerged) objects merged; read repairs \(a.readRepairs); "
                + "hints replayed \(a.hintsReplayed)")
        out.append(agreement(s))
        if let detail = s.partitionDetail { out += partitionDetail(detail) }
        for problem in s.problems { out.append("! " + problem) }
        return out.joined(separator: "\n") + "\n"
    }

    /// The partitions whose replicas have gone longest without an exchange ending in agreement.
    static func agreement(_ s: Snapshot) -> String {
        guard s.agreementReported else {
            return "time since partitions last agreed: n/a (nodes do not report HS.AGREEMENT)"
        }
        let never = s.partitions.filter { $0.exchangeNeverAgreed == true }.map(\.partition)
        let known = s.partitions.compactMap { p in p.sinceExchangeAgreed.map { (p.partition, $0) } }
        var text = "time since partitions last agreed (HS.AGREEMENT): "
        if let worst = known.max(by: { $0.1 < $1.1 }) {
            let sorted = known.map(\.1).sorted()
            text +=
                "median \(Timeline.seconds(sorted[sorted.count / 2])), oldest p\(worst.0) \(Timeline.seconds(worst.1))"
        } else {
            text += "no exchange has agreed yet"
        }
        if !never.isEmpty { text += "; never agreed: \(never.count) partitions" }
        return text
    }

    /// One line per sample, for --watch into a log: elapsed time and the timeline's measures.
    public static func line(_ s: Snapshot) -> String {
        let unreachable = s.nodes.filter { !$0.reachable }.count
        return pad("+" + Timeline.seconds(s.elapsed), 10)
            + "divergent keys \(s.divergentKeys) in \(s.divergentPartitions) partitions, unknown partitions "
            + "\(s.unknownPartitions), hints pending \(s.hintsPending), members seen differently "
            + "\(s.membership.disagreements.count)\(disagreementSummary(s)), unreachable nodes \(unreachable)"
            + (s.converged ? "  CONVERGED" : "")
    }

    /// " (3: alive x4, suspect x1)" for the first two members seen differently.
    static func disagreementSummary(_ s: Snapshot) -> String {
        let m = s.membership
        guard !m.disagreements.isEmpty else { return "" }
        let parts = m.disagreements.prefix(2).compactMap { subject -> String? in
            guard let column = m.subjects.firstIndex(of: subject) else { return nil }
            var counts: [String: Int] = [:]
            for row in m.cells { counts[row[column], default: 0] += 1 }
            let text = counts.sorted { $0.key < $1.key }.map { "\($0.key == "-" ? "unknown" : $0.key) x\($0.value)" }
            return "\(short(subject)): " + text.joined(separator: ", ")
        }
        return " (" + parts.joined(separator: "; ") + (m.disagreements.count > 2 ? "; ..." : "") + ")"
    }

    /// A node id shortened for tables: without leading zeros, at most 8 characters.
    static func short(_ id: String) -> String {
        let trimmed = id.drop { $0 == "0" }
        let text = trimmed.isEmpty ? "0" : String(trimmed)
        return text.count > 8 ? String(text.prefix(8)) : text
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func number(_ value: Int64?) -> String { value.map(String.init) ?? "n/a" }

    /// 1536 -> "1.5K", 3 << 20 -> "3.0M": short enough for a table column.
    static func bytes(_ value: Int64) -> String {
        for (size, suffix) in [(Int64(1) << 30, "G"), (Int64(1) << 20, "M"), (Int64(1) << 10, "K")] where value >= size
        {
            let tenths = (value * 10 + size / 2) / size
            return "\(tenths / 10).\(tenths % 10)\(suffix)"
        }
        return "\(value)B"
    }

    static func nodeTable(_ s: Snapshot) -> [String] {
        var lines = [
            pad("NODES (\(s.nodes.count))", 13) + pad("address", 16) + pad("keys", 9) + pad("requests", 10)
                + pad("replicas", 9)
                + pad("hints", 7) + pad("AE merged", 10) + pad("read repairs", 13) + pad("memory", 10) + "evicted"
        ]
        for (index, node) in s.nodes.enumerated() {
            let head = pad("#\(index + 1) \(short(node.id))", 13)
            guard node.reachable else {
                lines.append(head + pad(node.address, 16) + "UNREACHABLE: " + (node.problem ?? ""))
                continue
            }
            lines.append(
                head + pad(node.address, 16) + pad(number(node.keys), 9) + pad(number(node.requests), 10)
                    + pad(String(node.replicaOf), 9) + pad(String(node.hintsPending), 7)
                    + pad(String(node.objectsMerged), 10) + pad(String(node.readRepairs), 13)
                    + pad(node.usedMemory.map(bytes) ?? "n/a", 10) + number(node.evictedKeys))
        }
        return lines
    }

    static func membership(_ s: Snapshot) -> [String] {
        let m = s.membership
        guard !m.observers.isEmpty else { return ["MEMBERSHIP: no node answered"] }
        let index = Dictionary(s.nodes.enumerated().map { ($1.id, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        let label = { (id: String) in index[id].map { "#\($0)" } ?? short(id) }
        var lines = [
            "MEMBERSHIP (row: as seen by; A alive, S suspect, D down, L left, - unknown; ! = views differ)",
            "            " + m.subjects.map { pad(label($0), 5) }.joined(),
        ]
        for (row, observer) in m.observers.enumerated() {
            let cells = m.cells[row].map { pad(code($0), 5) }.joined()
            lines.append(pad("  \(label(observer))", 12) + cells)
        }
        let marks = m.subjects.map { pad(m.disagreements.contains($0) ? "!" : "", 5) }.joined()
        if !m.disagreements.isEmpty { lines.append(pad("", 12) + marks) }
        return lines
    }

    static func code(_ status: String) -> String {
        switch status {
        case "alive": return "A"
        case "suspect": return "S"
        case "down": return "D"
        case "left": return "L"
        case "-": return "-"
        default: return String(status.prefix(3))
        }
    }

    /// One character per partition, 64 a line.
    static func partitionMap(_ s: Snapshot) -> [String] {
        let agreeing = s.partitions.filter { $0.agree == true }.count
        var lines = [
            "PARTITIONS \(s.partitionCount) x \(s.replicationFactor) replicas: roots agree in \(agreeing), differ in "
                + "\(s.divergentPartitions), unknown \(s.unknownPartitions)",
            "  (. agree, 1-9 divergent keys, + 10 or more, * differ (not walked), ? a replica did not answer; "
                + "H hot)",
        ]
        var row = ""
        for p in s.partitions {
            row += String(symbol(p))
            if row.count == 64 || p.partition == s.partitions.count - 1 {
                let start = p.partition - row.count + 1
                lines.append(pad("  \(start)", 7) + row)
                row = ""
            }
        }
        return lines
    }

    static func symbol(_ p: PartitionStatus) -> Character {
        switch p.agree {
        case nil: return "?"
        case true?: return p.hot ? "H" : "."
        case false?:
            guard let n = p.divergentKeys else { return "*" }
            if n == 0 { return "*" }
            return n >= 10 ? "+" : Character(String(n))
        }
    }

    static func partitionDetail(_ d: PartitionDetail) -> [String] {
        var lines = [
            "",
            "PARTITION \(d.partition): \(d.keys.count) keys; replicas \(d.replicas.map(short).joined(separator: ", "))",
        ]
        if let note = d.note { lines.append("  note: \(note)") }
        for key in d.keys.prefix(200) {
            lines.append("  \(key.differs ? "!" : " ") \(key.key)")
            for id in d.replicas {
                let version = key.byReplica[id] ?? nil
                lines.append("      \(pad(short(id), 9)) \(version ?? "(missing)")")
            }
        }
        if d.keys.count > 200 { lines.append("  ... \(d.keys.count - 200) more (see --json)") }
        return lines
    }
}
