/// Reads the subject's CN and O out of a DER-encoded X.509 certificate.
///
/// swift-nio-ssl exposes the peer certificate as DER but no subject accessors; this small
/// DER walker reads just the path Certificate > tbsCertificate > subject. Pure and total:
/// malformed input yields nil, never a crash.
enum CertificateSubject {
    private static let commonNameOID: [UInt8] = [0x55, 0x04, 0x03]
    private static let organizationOID: [UInt8] = [0x55, 0x04, 0x0A]

    static func identity(fromDER der: [UInt8]) -> PeerIdentity? {
        var reader = DERReader(der[...])
        guard let cert = reader.next(), cert.tag == 0x30 else { return nil }
        var certReader = DERReader(cert.content)
        guard let tbs = certReader.next(), tbs.tag == 0x30 else { return nil }
        var fields = DERReader(tbs.content)
        guard var element = fields.next() else { return nil }
        if element.tag == 0xA0 {  // [0] EXPLICIT version
            guard let next = fields.next() else { return nil }
            element = next
        }
        // element is serialNumber; then signature, issuer, validity, subject.
        for _ in 0..<3 { guard fields.next() != nil else { return nil } }
        guard let subject = fields.next(), subject.tag == 0x30 else { return nil }

        var commonName: String?
        var organizations: [String] = []
        var rdns = DERReader(subject.content)
        while let rdn = rdns.next() {
            guard rdn.tag == 0x31 else { return nil }
            var attributes = DERReader(rdn.content)
            while let attribute = attributes.next() {
                guard attribute.tag == 0x30 else { return nil }
                var parts = DERReader(attribute.content)
                guard let oid = parts.next(), oid.tag == 0x06, let value = parts.next() else { return nil }
                guard let text = String(validating: Array(value.content), as: UTF8.self) else { continue }
                if Array(oid.content) == commonNameOID {
                    commonName = text  // the last CN wins, as in Kubernetes
                } else if Array(oid.content) == organizationOID {
                    organizations.append(text)
                }
            }
        }
        return PeerIdentity(commonName: commonName, organizations: organizations)
    }
}

/// A forward-only reader of DER TLV elements.
struct DERReader {
    struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// The next element, or nil at the end or on malformed input.
    mutating func next() -> Element? {
        guard let tag = bytes.first else { return nil }
        var i = bytes.index(after: bytes.startIndex)
        guard i < bytes.endIndex else { return nil }
        let first = bytes[i]
        i = bytes.index(after: i)
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count > 0, count <= 4, bytes.distance(from: i, to: bytes.endIndex) >= count else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[i])
                i = bytes.index(after: i)
            }
        }
        guard length >= 0, bytes.distance(from: i, to: bytes.endIndex) >= length else { return nil }
        let end = bytes.index(i, offsetBy: length)
        let element = Element(tag: tag, content: bytes[i..<end])
        bytes = bytes[end...]
        return element
    }
}
