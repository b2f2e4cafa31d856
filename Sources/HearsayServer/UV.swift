import CLibUV

/// libuv's handle "inheritance" is C struct prefixing; Swift needs explicit casts.
enum UV {
    @inline(__always)
    static func stream<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<uv_stream_t> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: uv_stream_t.self)
    }

    @inline(__always)
    static func handle<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<uv_handle_t> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: uv_handle_t.self)
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: uv_strerror(code))
    }

    /// Fails loudly with libuv's text when a call that must succeed does not.
    static func check(_ code: Int32, _ what: String) throws(ServerError) {
        if code < 0 { throw ServerError.libuv(what, errorText(code)) }
    }
}

public enum ServerError: Error, CustomStringConvertible {
    case libuv(String, String)
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .libuv(let what, let why): return "\(what): \(why)"
        case .invalidAddress(let a): return "invalid address \(a)"
        }
    }
}
