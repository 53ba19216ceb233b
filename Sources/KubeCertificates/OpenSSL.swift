import COpenSSL
import Foundation

/// The one place that touches OpenSSL's pointers. Every object is freed on every path
/// with `defer`; every failure becomes a `CertificateError` carrying OpenSSL's reason.
enum OpenSSL {
    // MARK: generation

    static func makeCertificate(
        spec: CertificateSpec, isCA: Bool, issuer: CertificateAndKey?
    ) throws -> CertificateAndKey {
        guard spec.validityDays > 0 else { throw CertificateError("validity must be at least one day") }
        let key = try generateKey(spec.keyAlgorithm)
        defer { EVP_PKEY_free(key) }

        guard let cert = X509_new() else { throw failure("cannot allocate certificate") }
        defer { X509_free(cert) }
        guard ks_x509_set_version3(cert) == 1 else { throw failure("cannot set certificate version") }
        try setRandomSerial(cert)
        guard X509_gmtime_adj(ks_x509_not_before(cert), -300) != nil,
            X509_gmtime_adj(ks_x509_not_after(cert), Int(spec.validityDays) * 86_400) != nil
        else { throw failure("cannot set validity") }

        let subject = X509_get_subject_name(cert)
        try addNameEntry(subject, "CN", spec.commonName)
        for org in spec.organizations { try addNameEntry(subject, "O", org) }
        guard X509_set_pubkey(cert, key) == 1 else { throw failure("cannot set public key") }

        // Issuer: ourselves for a CA, else the CA's subject; signing key likewise.
        var issuerCert: OpaquePointer? = nil
        var issuerKey: OpaquePointer? = nil
        defer {
            if let issuerCert { X509_free(issuerCert) }
            if let issuerKey { EVP_PKEY_free(issuerKey) }
        }
        if let issuer {
            issuerCert = try readCertificate(issuer.certificatePEM)
            issuerKey = try readPrivateKey(issuer.privateKeyPEM)
            guard X509_set_issuer_name(cert, X509_get_subject_name(issuerCert)) == 1 else {
                throw failure("cannot set issuer")
            }
        } else {
            guard X509_set_issuer_name(cert, subject) == 1 else { throw failure("cannot set issuer") }
        }

        var extensions: [(Int32, String)] = [(NID_subject_key_identifier, "hash")]
        if isCA {
            extensions += [
                (NID_basic_constraints, "critical,CA:TRUE"),
                (NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"),
            ]
        } else {
            extensions += [
                (NID_basic_constraints, "critical,CA:FALSE"),
                (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
            ]
            switch spec.usage {
            case .server: extensions.append((NID_ext_key_usage, "serverAuth"))
            case .client: extensions.append((NID_ext_key_usage, "clientAuth"))
            case .serverAndClient: extensions.append((NID_ext_key_usage, "serverAuth,clientAuth"))
            }
            extensions.append((NID_authority_key_identifier, "keyid:always"))
            let sans = spec.dnsNames.map { "DNS:\($0)" } + spec.ipAddresses.map { "IP:\($0)" }
            if !sans.isEmpty { extensions.append((NID_subject_alt_name, sans.joined(separator: ","))) }
        }
        for (nid, value) in extensions {
            try addExtension(cert, issuer: issuerCert ?? cert, nid: nid, value: value)
        }
        guard X509_sign(cert, issuerKey ?? key, EVP_sha256()) > 0 else { throw failure("cannot sign certificate") }
        return CertificateAndKey(certificatePEM: try certificatePEM(cert), privateKeyPEM: try privateKeyPEM(key))
    }

    private static func generateKey(_ algorithm: KeyAlgorithm) throws -> OpaquePointer {
        let id: Int32
        switch algorithm {
        case .ecdsaP256: id = EVP_PKEY_EC
        case .rsa: id = EVP_PKEY_RSA
        }
        guard let ctx = EVP_PKEY_CTX_new_id(id, nil) else { throw failure("cannot create key context") }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) > 0 else { throw failure("cannot initialise key generation") }
        switch algorithm {
        case .ecdsaP256:
            guard EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) > 0 else {
                throw failure("cannot select curve P-256")
            }
        case .rsa(let bits):
            guard bits >= 2048 else { throw CertificateError("RSA keys must have at least 2048 bits") }
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) > 0 else {
                throw failure("cannot set RSA key size")
            }
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen(ctx, &key) > 0, let key else { throw failure("key generation failed") }
        return key
    }

    private static func setRandomSerial(_ cert: OpaquePointer) throws {
        guard let bn = BN_new() else { throw failure("cannot allocate serial") }
        defer { BN_free(bn) }
        guard BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nil
        else { throw failure("cannot set serial number") }
    }

    private static func addNameEntry(_ name: OpaquePointer?, _ field: String, _ value: String) throws {
        guard !value.isEmpty else { throw CertificateError("certificate subject \(field) must not be empty") }
        let ok = value.withCString { v in
            X509_NAME_add_entry_by_txt(
                name, field, MBSTRING_UTF8, UnsafeRawPointer(v).assumingMemoryBound(to: UInt8.self), -1, -1, 0)
        }
        guard ok == 1 else { throw failure("cannot set subject \(field)=\(value)") }
    }

    private static func addExtension(_ cert: OpaquePointer, issuer: OpaquePointer, nid: Int32, value: String) throws {
        var ctx = X509V3_CTX()
        ks_x509v3_set_ctx_nodb(&ctx)
        X509V3_set_ctx(&ctx, issuer, cert, nil, nil, 0)
        guard let ext = X509V3_EXT_conf_nid(nil, &ctx, nid, value) else {
            throw failure("invalid certificate extension \(value)")
        }
        defer { X509_EXTENSION_free(ext) }
        guard X509_add_ext(cert, ext, -1) == 1 else { throw failure("cannot add extension \(value)") }
    }

    // MARK: PEM in and out

    static func readCertificate(_ pem: String) throws -> OpaquePointer {
        try withBIO(pem) { bio in
            guard let cert = PEM_read_bio_X509(bio, nil, nil, nil) else {
                throw failure("not a PEM certificate (expected -----BEGIN CERTIFICATE-----)")
            }
            return cert
        }
    }

    /// All certificates of a PEM bundle.
    static func readCertificates(_ pem: String) throws -> [OpaquePointer] {
        try withBIO(pem) { bio in
            var certs: [OpaquePointer] = []
            while let cert = PEM_read_bio_X509(bio, nil, nil, nil) { certs.append(cert) }
            ERR_clear_error()  // the loop ends on an expected "no start line"
            guard !certs.isEmpty else { throw CertificateError("no PEM certificate found in bundle") }
            return certs
        }
    }

    static func readPrivateKey(_ pem: String) throws -> OpaquePointer {
        try withBIO(pem) { bio in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
                throw failure("not a PEM private key (expected RSA, EC or PKCS#8 PRIVATE KEY)")
            }
            return key
        }
    }

    private static func withBIO<T>(_ pem: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        let bytes = Array(pem.utf8)
        return try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw failure("cannot allocate buffer")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    private static func memoryBIOString(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("cannot allocate buffer") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw failure("cannot encode PEM") }
        var ptr: UnsafeMutablePointer<CChar>? = nil
        let len = ks_bio_get_mem_data(bio, &ptr)
        guard let ptr, len > 0 else { throw failure("empty PEM output") }
        return String(decoding: UnsafeRawBufferPointer(start: ptr, count: len), as: UTF8.self)
    }

    private static func certificatePEM(_ cert: OpaquePointer) throws -> String {
        try memoryBIOString { PEM_write_bio_X509($0, cert) }
    }

    private static func privateKeyPEM(_ key: OpaquePointer) throws -> String {
        try memoryBIOString { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    // MARK: inspection

    static func inspect(certificatePEM pem: String) throws -> CertificateInfo {
        let cert = try readCertificate(pem)
        defer { X509_free(cert) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        guard X509_digest(cert, EVP_sha256(), &digest, &digestLength) == 1 else {
            throw failure("cannot hash certificate")
        }
        return CertificateInfo(
            subjectCommonName: nameEntries(X509_get_subject_name(cert), NID_commonName).first,
            subjectOrganizations: nameEntries(X509_get_subject_name(cert), NID_organizationName),
            issuerCommonName: nameEntries(X509_get_issuer_name(cert), NID_commonName).first,
            notBefore: try date(X509_get0_notBefore(cert)),
            notAfter: try date(X509_get0_notAfter(cert)),
            isCA: X509_check_ca(cert) > 0,
            sha256Fingerprint: digest.prefix(Int(digestLength)).map { String(format: "%02x", $0) }.joined()
        )
    }

    private static func nameEntries(_ name: OpaquePointer?, _ nid: Int32) -> [String] {
        var values: [String] = []
        var index: Int32 = -1
        while true {
            index = X509_NAME_get_index_by_NID(name, nid, index)
            guard index >= 0, let entry = X509_NAME_get_entry(name, index),
                let data = X509_NAME_ENTRY_get_data(entry), let bytes = ASN1_STRING_get0_data(data)
            else { break }
            values.append(
                String(decoding: UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data))), as: UTF8.self)
            )
        }
        return values
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) throws -> Date {
        var tm = tm()
        guard let time, ASN1_TIME_to_tm(time, &tm) == 1 else { throw failure("cannot read certificate validity") }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }

    static func privateKeyType(pem: String) throws -> String {
        let key = try readPrivateKey(pem)
        defer { EVP_PKEY_free(key) }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: return "RSA"
        case EVP_PKEY_EC: return "EC"
        case EVP_PKEY_ED25519: return "Ed25519"
        default: return "unknown"
        }
    }

    static func keyMatches(certificatePEM: String, privateKeyPEM: String) throws -> Bool {
        let cert = try readCertificate(certificatePEM)
        defer { X509_free(cert) }
        let key = try readPrivateKey(privateKeyPEM)
        defer { EVP_PKEY_free(key) }
        let ok = X509_check_private_key(cert, key) == 1
        ERR_clear_error()
        return ok
    }

    static func isSigned(certificatePEM: String, byAnyOf caPEM: String) throws -> Bool {
        let cert = try readCertificate(certificatePEM)
        defer { X509_free(cert) }
        let cas = try readCertificates(caPEM)
        defer { cas.forEach { X509_free($0) } }
        for ca in cas where X509_check_issued(ca, cert) == X509_V_OK {
            guard let pub = X509_get0_pubkey(ca) else { continue }
            if X509_verify(cert, pub) == 1 { return true }
        }
        ERR_clear_error()
        return false
    }

    static func matches(certificatePEM: String, host: String) throws -> Bool {
        let cert = try readCertificate(certificatePEM)
        defer { X509_free(cert) }
        if host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return X509_check_ip_asc(cert, host, 0) == 1
        }
        return X509_check_host(cert, host, host.utf8.count, 0, nil) == 1
    }

    private static func failure(_ what: String) -> CertificateError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            reasons.append(String(decoding: bytes, as: UTF8.self))
        }
        return CertificateError(reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }
}
