import Foundation

/// `--json`: one JSON document per sample (on one line, so a watch is JSON Lines).
public enum JSONReport {
    public static func render(_ s: Snapshot) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(s) else { return "{\"error\":\"could not encode the snapshot\"}" }
        return String(decoding: data, as: UTF8.self)
    }
}
