import Crypto

/// Authenticates frames with a shared cluster key and binds them to a cluster name.
///
/// The tag is HMAC-SHA256, keyed with the cluster key, over
///
///     length of the cluster name (1 byte) | cluster name (UTF-8) | frame header | payload
///
/// truncated to `keyedTagLength` (16) bytes. The name is length-prefixed so that no
/// other split of name and frame bytes gives the same input. A frame from another
/// cluster (other name) or made with another key fails `verify`, and so does any
/// change to its header or payload.
///
/// A cluster without a key file still uses this form with an empty key: the tag then
/// proves nothing about the sender (anyone can compute it) but keeps two clusters
/// with different names on one network from merging by accident.
///
/// A plain value with no closures, so a connection can hold it and a test can
/// compare it. Both ends of a connection MUST use the same tag length; the
/// decoder refuses any other before it reads the payload.
public struct FrameAuthenticator: Sendable, Equatable {
    /// Bytes of tag after each payload: 0 when unauthenticated.
    public let tagLength: Int
    /// The shared key; nil when unauthenticated.
    let key: [UInt8]?
    /// The length-prefixed cluster name, the first bytes under the MAC.
    let namePrefix: [UInt8]

    /// Bytes of HMAC-SHA256 kept: 128 bits, as in most truncated-MAC protocols (RFC 2104 section 5
    /// allows truncation to no less than half the output).
    public static let keyedTagLength = 16
    /// Longest cluster name, in UTF-8 bytes (its length is one byte under the MAC).
    public static let maximumClusterNameBytes = 255

    public static let unauthenticated = FrameAuthenticator(tagLength: 0, key: nil, namePrefix: [])

    /// Frames of cluster `clusterName`, tagged with `key` (which may be empty: see the type's notes).
    public init(clusterName: String, key: [UInt8]) {
        let name = Array(clusterName.utf8)
        precondition(
            name.count <= Self.maximumClusterNameBytes,
            "cluster name of \(name.count) bytes exceeds \(Self.maximumClusterNameBytes)")
        self.init(tagLength: Self.keyedTagLength, key: key, namePrefix: [UInt8(name.count)] + name)
    }

    init(tagLength: Int, key: [UInt8]?, namePrefix: [UInt8]) {
        precondition(tagLength >= 0 && tagLength <= Int(UInt8.max), "tag length \(tagLength) outside 0...255")
        precondition(key != nil || tagLength == 0, "a tag needs a key")
        self.tagLength = tagLength
        self.key = key
        self.namePrefix = namePrefix
    }

    /// Appends the tag over `frame` (header and payload) to `frame`.
    func appendTag(to frame: inout [UInt8]) {
        guard let key else { return }
        let mac = Self.mac(key: key, namePrefix: namePrefix, frame: frame[...])
        frame.append(contentsOf: mac.prefix(tagLength))
    }

    /// Checks `tag` against `frameWithoutTag` (header and payload), in time independent of
    /// where the tags differ.
    func verify(frameWithoutTag: ArraySlice<UInt8>, tag: ArraySlice<UInt8>) -> Bool {
        guard let key else { return tag.isEmpty }
        guard tag.count == tagLength else { return false }
        let expected = Self.mac(key: key, namePrefix: namePrefix, frame: frameWithoutTag)
        var difference: UInt8 = 0
        for (a, b) in zip(expected.prefix(tagLength), tag) { difference |= a ^ b }
        return difference == 0
    }

    static func mac(key: [UInt8], namePrefix: [UInt8], frame: ArraySlice<UInt8>) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: namePrefix)
        hmac.update(data: frame)
        return Array(hmac.finalize())
    }
}

extension FrameAuthenticator {
    /// Authenticates one whole frame received alone (a datagram): returns it, or throws the
    /// reason it is refused. Trailing bytes after the frame are refused too.
    public func decodeSingle(
        _ bytes: [UInt8],
        maximumPayloadBytes: Int = FrameDecoder.defaultMaximumPayloadBytes
    )
        throws(FrameError) -> Frame
    {
        var decoder = FrameDecoder(maximumPayloadBytes: maximumPayloadBytes, authenticator: self)
        decoder.append(bytes)
        guard let frame = try decoder.next() else {
            throw .truncated(bufferedBytes: bytes.count)
        }
        try decoder.finish()
        return frame
    }
}
