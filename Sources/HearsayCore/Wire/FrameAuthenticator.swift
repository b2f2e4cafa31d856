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
/// A cluster without a key file uses `nameCheck` instead: an 8-byte StableHash of the same
/// input, seeded by the name. Like any keyless tag it proves nothing about the sender
/// (anyone can compute it), but it keeps two clusters with different names on one network
/// from merging by accident, at a fraction of SHA-256's cost.
///
/// The MAC itself comes from HearsayAuth (`init(clusterName:key:)`, on swift-crypto): the
/// pure core only frames and compares tags, so it builds without waiting for BoringSSL.
/// Both ends of a connection MUST use the same tag length; the decoder refuses any other
/// before it reads the payload.
public struct FrameAuthenticator: Sendable, Equatable {
    /// Writes the full 32-byte MAC of `namePrefix | frame` (the key already applied) into
    /// the second buffer.
    public typealias MAC = @Sendable (_ frame: UnsafeRawBufferPointer, _ into: UnsafeMutableRawBufferPointer) -> Void

    /// Bytes of tag after each payload: 0 when unauthenticated.
    public let tagLength: Int
    /// The shared key; nil when unauthenticated.
    let key: [UInt8]?
    /// The length-prefixed cluster name, the first bytes under the MAC.
    let namePrefix: [UInt8]
    private let mac: MAC?

    /// Bytes of HMAC-SHA256 kept: 128 bits, as in most truncated-MAC protocols (RFC 2104 section 5
    /// allows truncation to no less than half the output).
    public static let keyedTagLength = 16
    /// Bytes of the full MAC a `MAC` function writes.
    public static let macLength = 32
    /// Longest cluster name, in UTF-8 bytes (its length is one byte under the MAC).
    public static let maximumClusterNameBytes = 255

    public static let unauthenticated = FrameAuthenticator(tagLength: 0, key: nil, namePrefix: [], mac: nil)

    /// The length-prefixed form of a cluster name, as it goes under the MAC.
    public static func namePrefix(clusterName: String) -> [UInt8] {
        let name = Array(clusterName.utf8)
        precondition(
            name.count <= Self.maximumClusterNameBytes,
            "cluster name of \(name.count) bytes exceeds \(Self.maximumClusterNameBytes)")
        return [UInt8(name.count)] + name
    }

    /// An authenticator whose tags are the first `tagLength` bytes of `mac`.
    public init(tagLength: Int, key: [UInt8]?, namePrefix: [UInt8], mac: MAC?) {
        precondition(tagLength >= 0 && tagLength <= Self.macLength, "tag length \(tagLength) outside 0...32")
        precondition((key != nil && mac != nil) || tagLength == 0, "a tag needs a key and a MAC")
        self.tagLength = tagLength
        self.key = key
        self.namePrefix = namePrefix
        self.mac = tagLength == 0 ? nil : mac
    }

    /// Bytes of tag under `nameCheck`.
    public static let nameCheckTagLength = 8

    /// Frames of cluster `clusterName` without a shared key: the tag is a StableHash of the
    /// frame seeded by the length-prefixed name (see above).
    public static func nameCheck(clusterName: String) -> FrameAuthenticator {
        let prefix = namePrefix(clusterName: clusterName)
        let seed = StableHash.hash(prefix)
        return FrameAuthenticator(
            tagLength: nameCheckTagLength, key: [], namePrefix: prefix,
            mac: { frame, out in
                var tag = StableHash.hash(frame, seed: seed).littleEndian
                out.initializeMemory(as: UInt8.self, repeating: 0)
                withUnsafeBytes(of: &tag) { out.copyMemory(from: $0) }
            })
    }

    public static func == (a: FrameAuthenticator, b: FrameAuthenticator) -> Bool {
        a.tagLength == b.tagLength && a.key == b.key && a.namePrefix == b.namePrefix
    }

    /// Appends the tag over `frame` (header and payload) to `frame`.
    func appendTag(to frame: inout [UInt8]) {
        guard let mac else { return }
        withUnsafeTemporaryAllocation(byteCount: Self.macLength, alignment: 8) { tag in
            frame.withUnsafeBytes { mac($0, tag) }
            frame.append(contentsOf: UnsafeRawBufferPointer(tag).prefix(tagLength))
        }
    }

    /// Checks `tag` against `frameWithoutTag` (header and payload), in time independent of
    /// where the tags differ.
    func verify(frameWithoutTag: ArraySlice<UInt8>, tag: ArraySlice<UInt8>) -> Bool {
        guard let mac else { return tag.isEmpty }
        guard tag.count == tagLength else { return false }
        return withUnsafeTemporaryAllocation(byteCount: Self.macLength, alignment: 8) { expected in
            frameWithoutTag.withUnsafeBytes { mac($0, expected) }
            var difference: UInt8 = 0
            for (a, b) in zip(UnsafeRawBufferPointer(expected).prefix(tagLength), tag) { difference |= a ^ b }
            return difference == 0
        }
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
