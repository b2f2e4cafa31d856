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
    /// HMAC's inner and outer hashes with the key (and, inner, the name prefix) already
    /// absorbed: a frame costs two copies and its own bytes, not a key schedule. Copies of
    /// SHA256 are copy-on-write, so this stays immutable when frames are tagged.
    private let keyed: KeyedHashers?

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
        self.keyed = key.map { KeyedHashers(key: $0, namePrefix: namePrefix) }
    }

    public static func == (a: FrameAuthenticator, b: FrameAuthenticator) -> Bool {
        a.tagLength == b.tagLength && a.key == b.key && a.namePrefix == b.namePrefix
    }

    /// Appends the tag over `frame` (header and payload) to `frame`.
    func appendTag(to frame: inout [UInt8]) {
        guard let keyed else { return }
        let mac = frame.withUnsafeBytes { keyed.mac($0) }
        mac.withUnsafeBytes { frame.append(contentsOf: $0.prefix(tagLength)) }
    }

    /// Checks `tag` against `frameWithoutTag` (header and payload), in time independent of
    /// where the tags differ.
    func verify(frameWithoutTag: ArraySlice<UInt8>, tag: ArraySlice<UInt8>) -> Bool {
        guard let keyed else { return tag.isEmpty }
        guard tag.count == tagLength else { return false }
        let expected = frameWithoutTag.withUnsafeBytes { keyed.mac($0) }
        return expected.withUnsafeBytes { expected in
            var difference: UInt8 = 0
            for (a, b) in zip(expected.prefix(tagLength), tag) { difference |= a ^ b }
            return difference == 0
        }
    }

    /// The full 32-byte HMAC-SHA256 of `namePrefix | frame` under `key` (for tests and tools).
    static func mac(key: [UInt8], namePrefix: [UInt8], frame: ArraySlice<UInt8>) -> [UInt8] {
        let digest = frame.withUnsafeBytes { KeyedHashers(key: key, namePrefix: namePrefix).mac($0) }
        return digest.withUnsafeBytes { Array($0) }
    }
}

/// HMAC-SHA256 (RFC 2104) split at the key: `inner` has absorbed (key XOR ipad) and the
/// name prefix, `outer` (key XOR opad). Built from swift-crypto's SHA256 through its
/// non-generic `update(bufferPointer:)`, because HMAC's generic `update(data:)` went through
/// unspecialised generic code and a key schedule per frame: a quarter of a replica's CPU.
/// The tests pin it to swift-crypto's own HMAC.
private struct KeyedHashers: @unchecked Sendable {
    let inner: SHA256
    let outer: SHA256

    static let blockSize = 64

    init(key: [UInt8], namePrefix: [UInt8]) {
        var block = key
        if block.count > Self.blockSize {
            var hash = SHA256()
            key.withUnsafeBytes { hash.update(bufferPointer: $0) }
            block = hash.finalize().withUnsafeBytes { Array($0) }
        }
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        var inner = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update(bufferPointer: $0) }
        namePrefix.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        block.map { $0 ^ 0x5C }.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    func mac(_ frame: UnsafeRawBufferPointer) -> SHA256.Digest {
        var inner = self.inner
        inner.update(bufferPointer: frame)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
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
