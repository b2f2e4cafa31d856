/// Placeholder glob matcher (replaced by the full Redis-compatible one on the resp branch).
public enum GlobPattern {
    public static func matches(_ pattern: UnsafeRawBufferPointer, _ subject: UnsafeRawBufferPointer,
                               ignoringCase: Bool = false) -> Bool {
        func m(_ p: Int, _ s: Int) -> Bool {
            if p == pattern.count { return s == subject.count }
            if pattern[p] == UInt8(ascii: "*") {
                var k = s
                while k <= subject.count { if m(p + 1, k) { return true }; k += 1 }
                return false
            }
            guard s < subject.count else { return false }
            if pattern[p] == UInt8(ascii: "?") || pattern[p] == subject[s] { return m(p + 1, s + 1) }
            return false
        }
        return m(0, 0)
    }
}
