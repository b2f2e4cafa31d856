/// `--html FILE`: one self-contained page (inline CSS and SVG; no scripts, fonts or images
/// fetched): the verdict, the divergence timeline as a chart, the membership matrix, a
/// partition heat map, and the nodes.
public enum HTMLReport {
    /// `peak`: the sample with the most divergent keys, whose heat map is shown beside the last.
    public static func render(_ s: Snapshot, _ timeline: Timeline, peak: Snapshot? = nil) -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Hearsay cluster report</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
            h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
            .verdict { padding: 10px 14px; border-radius: 6px; font-weight: 600; }
            .ok { background: #e3f6e3; border: 1px solid #5a5; } .bad { background: #fbe6e6; border: 1px solid #c55; }
            table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: center; }
            th { background: #f3f3f3; } td.alive { background: #cfeecf; } td.suspect { background: #ffe2a8; }
            td.down { background: #f6b3b3; } td.left { background: #ddd; } td.unknown { background: #fff; }
            th.differs { background: #f6b3b3; } .legend span { display: inline-block; margin-right: 14px; }
            .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin-right: 4px; }
            pre { background: #f7f7f7; padding: 10px; overflow-x: auto; font-size: 12px; }
            </style></head><body>

            """
        page += "<h1>Hearsay cluster report</h1>\n"
        page += "<p>\(s.nodes.count) nodes, reached through \(escape(s.seed)); \(s.partitionCount) partitions x "
        page += "\(s.replicationFactor) replicas; last sample \(Timeline.seconds(s.elapsed)) after the first.</p>\n"
        page += "<p class=\"verdict \(s.converged ? "ok" : "bad")\">\(escape(s.verdict))</p>\n"
        if let after = timeline.convergedAfter, s.converged {
            page += "<p>Converged \(Timeline.seconds(after)) after the first sample; peak divergence "
            page += "\(timeline.peakDivergentKeys) keys.</p>\n"
        }
        page += "<h2>Divergence over time</h2>\n" + chart(timeline)
        page += "<h2>Membership as each node sees it</h2>\n" + matrix(s)
        if let peak, peak.divergentKeys > 0 {
            page += "<h2>Partitions at the peak (\(peak.divergentKeys) divergent keys in \(peak.divergentPartitions) "
            page += "partitions, \(Timeline.seconds(peak.elapsed)) after the first sample)</h2>\n" + heatMap(peak)
        }
        page += "<h2>Partitions now</h2>\n" + heatMap(s)
        page += "<h2>Nodes</h2>\n" + nodes(s)
        page += "<h2>Full text report</h2>\n<pre>\(escape(TextReport.render(s)))</pre>\n"
        page += "</body></html>\n"
        return page
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(format2: hundredths % 100))"
    }

    /// Divergent keys and pending hints against time; shaded where views disagreed or a node
    /// was unreachable; a green line where the cluster converged.
    static func chart(_ timeline: Timeline) -> String {
        let points = timeline.points
        guard !points.isEmpty else { return "<p>No samples.</p>\n" }
        let width = 900.0
        let height = 260.0
        let left = 60.0
        let bottom = 30.0
        let top = 10.0
        let plotWidth = width - left - 20
        let plotHeight = height - top - bottom
        let end = max(points.last!.elapsed, 0.001)
        let peak = max(1, points.map { max(Double($0.divergentKeys), Double($0.hintsPending)) }.max() ?? 1)
        func x(_ t: Double) -> Double { left + t / end * plotWidth }
        func y(_ v: Double) -> Double { top + plotHeight - v / peak * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"divergence timeline\">\n"
        svg +=
            "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n"
        for (i, p) in points.enumerated() where p.membershipDisagreements > 0 || p.unreachableNodes > 0 {
            let next = i + 1 < points.count ? points[i + 1].elapsed : p.elapsed + end / Double(max(points.count, 1))
            svg +=
                "<rect x=\"\(format(x(p.elapsed)))\" y=\"\(top)\" width=\"\(format(max(1, x(next) - x(p.elapsed))))\" "
            svg += "height=\"\(plotHeight)\" fill=\"#f6d5d5\"/>\n"
        }
        for fraction in [0.0, 0.5, 1.0] {
            let v = peak * fraction
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(format(y(v) + 4))\" text-anchor=\"end\" font-size=\"11\">\(Int(v))</text>\n"
            svg +=
                "<text x=\"\(format(x(end * fraction)))\" y=\"\(height - 10)\" text-anchor=\"middle\" font-size=\"11\">"
            svg += "\(format(end * fraction)) s</text>\n"
        }
        func polyline(_ values: [Double], _ color: String) -> String {
            let coordinates = zip(points, values).map { "\(format(x($0.elapsed))),\(format(y($1)))" }
            return
                "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
        }
        svg += polyline(points.map { Double($0.divergentKeys) }, "#c0392b")
        svg += polyline(points.map { Double($0.hintsPending) }, "#2c6fbb")
        if let after = timeline.convergedAfter {
            svg +=
                "<line x1=\"\(format(x(after)))\" x2=\"\(format(x(after)))\" y1=\"\(top)\" y2=\"\(top + plotHeight)\" "
            svg += "stroke=\"#27ae60\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\n"
        }
        svg += "</svg>\n"
        let legend =
            "<p class=\"legend\"><span><i class=\"swatch\" style=\"background:#c0392b\"></i>divergent keys</span>"
            + "<span><i class=\"swatch\" style=\"background:#2c6fbb\"></i>pending hints</span>"
            + "<span><i class=\"swatch\" style=\"background:#f6d5d5\"></i>views disagree or a node unreachable</span>"
            + "<span><i class=\"swatch\" style=\"background:#27ae60\"></i>converged</span></p>\n"
        return svg + legend
    }

    static func matrix(_ s: Snapshot) -> String {
        let m = s.membership
        guard !m.observers.isEmpty else { return "<p>No node answered.</p>\n" }
        let address = Dictionary(s.nodes.map { ($0.id, $0.address) }, uniquingKeysWith: { a, _ in a })
        var html = "<table><tr><th>seen by \u{2193} / member \u{2192}</th>"
        for subject in m.subjects {
            let differs = m.disagreements.contains(subject)
            html += "<th class=\"\(differs ? "differs" : "")\" title=\"\(escape(address[subject] ?? ""))\">"
            html += "\(escape(TextReport.short(subject)))\(differs ? " !" : "")</th>"
        }
        html += "</tr>\n"
        for (row, observer) in m.observers.enumerated() {
            html += "<tr><th>\(escape(TextReport.short(observer)))</th>"
            for cell in m.cells[row] {
                let kind = cell == "-" ? "unknown" : cell
                html += "<td class=\"\(escape(kind))\">\(escape(cell))</td>"
            }
            html += "</tr>\n"
        }
        html += "</table>\n"
        let unreachable = s.nodes.filter { !$0.reachable }
        for node in unreachable {
            html += "<p>Node \(escape(TextReport.short(node.id))) (\(escape(node.address))): "
            html += "\(escape(node.problem ?? "unreachable"))</p>\n"
        }
        if !m.disagreements.isEmpty {
            html +=
                "<p>Seen differently: \(m.disagreements.map { escape(TextReport.short($0)) }.joined(separator: ", "))</p>\n"
        }
        return html
    }

    /// One square per partition, 32 a row: blue by key count where replicas agree, red by
    /// divergent keys where they differ, grey where a replica did not answer; hot ones outlined.
    static func heatMap(_ s: Snapshot) -> String {
        let columns = 32
        let cell = 24.0
        let rows = (s.partitions.count + columns - 1) / columns
        let maxKeys = max(1, s.partitions.compactMap(\.keys).max() ?? 1)
        let maxDivergent = max(1, s.partitions.compactMap { $0.agree == false ? $0.divergentKeys : nil }.max() ?? 1)
        let width = Int(Double(columns) * cell) + 2
        let height = Int(Double(rows) * cell) + 2
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        svg += "role=\"img\" aria-label=\"partition heat map\">\n"
        for p in s.partitions {
            let x = Double(p.partition % columns) * cell + 1
            let y = Double(p.partition / columns) * cell + 1
            let fill: String
            switch p.agree {
            case nil: fill = "#bbbbbb"
            case true?:
                let share = Double(p.keys ?? 0) / Double(maxKeys)
                fill = shade(from: (235, 243, 252), to: (33, 102, 172), share)
            case false?:
                let share = Double(p.divergentKeys ?? maxDivergent) / Double(maxDivergent)
                fill = shade(from: (253, 219, 199), to: (178, 24, 43), share)
            }
            let stroke = p.hot ? "stroke=\"#000\" stroke-width=\"2\"" : "stroke=\"#fff\""
            svg +=
                "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" fill=\"\(fill)\" \(stroke)>"
            let state =
                p.agree.map {
                    $0 ? "roots agree" : "roots differ, \(p.divergentKeys.map(String.init) ?? "?") divergent keys"
                } ?? "a replica did not answer"
            svg += "<title>partition \(p.partition): \(state); keys \(p.keys.map(String.init) ?? "n/a"), "
            svg += "requests \(p.requests.map(String.init) ?? "n/a")\(p.hot ? ", HOT" : ""); replicas "
            svg += "\(p.replicas.map(TextReport.short).joined(separator: ", "))"
            if p.exchangeNeverAgreed == true { svg += "; no exchange has agreed yet" }
            if let since = p.sinceExchangeAgreed { svg += "; replicas last agreed \(Timeline.seconds(since)) ago" }
            svg += "</title></rect>\n"
        }
        svg += "</svg>\n"
        let legend =
            "<p class=\"legend\"><span><i class=\"swatch\" style=\"background:#2166ac\"></i>replicas agree (darker: more keys)</span>"
            + "<span><i class=\"swatch\" style=\"background:#b2182b\"></i>replicas differ (darker: more divergent keys)</span>"
            + "<span><i class=\"swatch\" style=\"background:#bbb\"></i>a replica did not answer</span>"
            + "<span><i class=\"swatch\" style=\"border:2px solid #000\"></i>hot (&gt; 3x the mean)</span></p>\n"
        return svg + legend
    }

    static func shade(from a: (Int, Int, Int), to b: (Int, Int, Int), _ t: Double) -> String {
        let clamped = min(1, max(0, t))
        func mix(_ x: Int, _ y: Int) -> Int { Int(Double(x) + (Double(y) - Double(x)) * clamped) }
        return "rgb(\(mix(a.0, b.0)),\(mix(a.1, b.1)),\(mix(a.2, b.2)))"
    }

    static func nodes(_ s: Snapshot) -> String {
        var html = "<table><tr><th>node</th><th>address</th><th>state</th><th>keys</th><th>requests</th>"
        html += "<th>replica of</th><th>hints held</th><th>AE objects merged</th><th>read repairs</th>"
        html += "<th>memory</th><th>evicted</th></tr>\n"
        for n in s.nodes {
            html += "<tr><td>\(escape(TextReport.short(n.id)))</td><td>\(escape(n.address))</td>"
            html += "<td>\(escape(n.reachable ? "ok" : (n.problem ?? "unreachable")))</td>"
            html += "<td>\(n.keys.map(String.init) ?? "n/a")</td><td>\(n.requests.map(String.init) ?? "n/a")</td>"
            html +=
                "<td>\(n.replicaOf)</td><td>\(n.hintsPending)</td><td>\(n.objectsMerged)</td><td>\(n.readRepairs)</td>"
            html +=
                "<td>\(n.usedMemory.map(TextReport.bytes) ?? "n/a")</td><td>\(TextReport.number(n.evictedKeys))</td></tr>\n"
        }
        html += "</table>\n"
        html += "<p>Keys with siblings: \(s.keysWithSiblings). Pending hints: \(s.hintsPending). Anti-entropy: "
        html += "\(s.antiEntropy.exchangesFinished) exchanges finished, \(s.antiEntropy.objectsMerged) objects merged; "
        html += "read repairs \(s.antiEntropy.readRepairs); hints replayed \(s.antiEntropy.hintsReplayed).</p>\n"
        return html
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : String(value) }
}
