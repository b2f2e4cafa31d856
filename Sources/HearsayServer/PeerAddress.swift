import CLibUV
import Glibc

/// Turns "host:port" / "[v6]:port" into a socket address. Literal IPs parse at once;
/// a host name goes through getaddrinfo, which blocks: that happens once per name
/// (results are cached by the transport), in practice for seeds given by name.
enum PeerAddress {
    /// Splits "host:port" and "[v6]:port"; nil when there is no valid port.
    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        var host = String(address[..<colon])
        guard let port = Int(address[address.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    static func resolve(_ address: String) -> sockaddr_storage? {
        guard let (host, port) = split(address) else { return nil }
        var storage = sockaddr_storage()
        let literal = withUnsafeMutableBytes(of: &storage) { raw -> Int32 in
            if host.contains(":") {
                return uv_ip6_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
            }
            return uv_ip4_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
        }
        if literal == 0 { return storage }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        // Prefer IPv4: the listeners bind to one family, and "localhost" may list ::1 first.
        var chosen = first
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if entry.pointee.ai_family == AF_INET {
                chosen = entry
                break
            }
            cursor = entry.pointee.ai_next
        }
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(
                from: UnsafeRawBufferPointer(
                    start: chosen.pointee.ai_addr,
                    count: Int(chosen.pointee.ai_addrlen)))
        }
        return storage
    }

    /// "ip:port" of a socket address (for logs).
    static func text(_ address: UnsafePointer<sockaddr>) -> String {
        var name = [CChar](repeating: 0, count: 64)
        if address.pointee.sa_family == sa_family_t(AF_INET6) {
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                uv_ip6_name(a, &name, 64)
                return "[\(text(name))]:\(UInt16(bigEndian: a.pointee.sin6_port))"
            }
        }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
            uv_ip4_name(a, &name, 64)
            return "\(text(name)):\(UInt16(bigEndian: a.pointee.sin_port))"
        }
    }

    /// A NUL-terminated C string in an array, as text.
    static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
