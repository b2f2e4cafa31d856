/// Authenticates frames with a shared cluster key. The MAC itself (HMAC-SHA256
/// from swift-crypto, truncated to `tagLength`) is added with the dependency;
/// until then only the unauthenticated form exists, whose tag is empty.
///
/// A plain value with no closures, so a connection can hold it and a test can
/// compare it. Both ends of a connection MUST use the same tag length; the
/// decoder refuses any other before it reads the payload.
public struct FrameAuthenticator: Sendable, Equatable {
    /// Bytes of tag after each payload: 0 when unauthenticated.
    public let tagLength: Int
    /// The shared key; nil when unauthenticated.
    let key: [UInt8]?

    public static let unauthenticated = FrameAuthenticator(tagLength: 0, key: nil)

    init(tagLength: Int, key: [UInt8]?) {
        precondition(tagLength >= 0 && tagLength <= Int(UInt8.max), "tag length \(tagLength) outside 0...255")
        self.tagLength = tagLength
        self.key = key
    }

    /// Appends the tag over `frame` (header and payload) to `frame`.
    func appendTag(to frame: inout [UInt8]) {
        precondition(key == nil && tagLength == 0, "keyed frame authentication is not implemented yet")
    }

    /// Checks `tag` against `frameWithoutTag` (header and payload).
    func verify(frameWithoutTag: ArraySlice<UInt8>, tag: ArraySlice<UInt8>) -> Bool {
        key == nil && tag.isEmpty
    }
}
