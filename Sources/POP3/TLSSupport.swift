import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// Everything needed to put TLS on a connection: the verifying context and the name to check.
struct TLSSetup: Sendable {
    let context: NIOSSLContext
    /// Sent as SNI and matched against DNS names; nil for an IP literal, which swift-nio-ssl then matches
    /// against the certificate's IP address SANs using the connected peer address.
    let serverHostname: String?
    let host: String

    init(configuration: POP3Configuration) throws {
        context = try Self.context(caFile: configuration.caFile)
        host = configuration.host
        serverHostname = (try? SocketAddress(ipAddress: configuration.host, port: 0)) == nil ? configuration.host : nil
    }

    /// Making a context reads the system trust store, milliseconds of a connection's start (4 ms
    /// on loopback here, a third of a TLS login); a reconnect, a keep-alive session or the next
    /// session of the same process reuses the one made with the same CA file contents. Keyed by
    /// the contents, not the path: a file replaced in between is read afresh.
    private static let contexts = Mutex<[Data?: NIOSSLContext]>([:])

    private static func context(caFile: String?) throws -> NIOSSLContext {
        let key = try caFile.map { path in
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw POP3Error.caFileUnreadable(path: path, reason: "no such readable file")
            }
            return contents
        }
        if let made = contexts.withLock({ $0[key] }) { return made }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12  // RFC 8314 section 4.1
        if let caFile, let key {
            tls.additionalTrustRoots = [.certificates(try certificates(in: key, path: caFile))]
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw POP3Error.caFileUnreadable(path: caFile ?? "(system trust store)", reason: "\(error)")
        }
        contexts.withLock { $0[key] = context }
        return context
    }

    private static func certificates(in contents: Data, path: String) throws -> [NIOSSLCertificate] {
        let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(contents))
        guard let certificates, !certificates.isEmpty else {
            throw POP3Error.caFileUnreadable(path: path, reason: "it holds no PEM certificate")
        }
        return certificates
    }

    /// Must run on the channel's event loop; `diagnosis` learns why a chain was rejected.
    func makeHandler(diagnosis: CertificateDiagnosis) throws -> NIOSSLClientHandler {
        try Self.make(NIOSSLClientHandler.self, context: context, serverHostname: serverHostname) {
            diagnosis.record($0, $1)
        }
    }

    private static func make<Handler: PerCertificateVerifying>(
        _: Handler.Type,
        context: NIOSSLContext,
        serverHostname: String?,
        callback: @escaping NIOSSLVerificationCallback
    ) throws -> Handler {
        try Handler(context: context, serverHostname: serverHostname, verificationCallback: callback)
    }
}

/// swift-nio-ssl does not expose BoringSSL's verify result (expired, unknown issuer…), only that the handshake
/// failed. The per-certificate callback sees the certificate BoringSSL flagged, which is enough to tell the
/// user why. That initializer is deprecated in favour of a callback that would replace BoringSSL's
/// verification altogether; reaching it through a protocol requirement keeps BoringSSL verifying.
private protocol PerCertificateVerifying {
    init(context: NIOSSLContext, serverHostname: String?, verificationCallback: NIOSSLVerificationCallback?) throws
}

extension NIOSSLClientHandler: PerCertificateVerifying {}

/// Confined to the channel's event loop, where BoringSSL runs the verification callback.
final class CertificateDiagnosis {
    private(set) var failure: TLSVerificationFailure?

    func record(_ result: NIOSSLVerificationResult, _ certificate: NIOSSLCertificate) -> NIOSSLVerificationResult {
        // The verdict is passed through unchanged: this only explains it.
        if case .failed = result, failure == nil {
            let now = time(nil)
            if certificate.notValidAfter < now {
                failure = .expired
            } else if certificate.notValidBefore > now {
                failure = .notYetValid
            } else {
                failure = .untrustedIssuer
            }
        }
        return result
    }
}

extension POP3Error {
    /// Maps whatever the pipeline reports (NIO, swift-nio-ssl, the decoder) to a POP3Error.
    static func from(_ error: any Error, diagnosis: CertificateDiagnosis?, host: String) -> POP3Error {
        switch error {
        case let error as POP3Error:
            return error
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return .tlsVerification(.hostnameMismatch(expected: host))
        case NIOSSLError.handshakeFailed(let underlying):
            let reason = Self.boringSSLReason(underlying)
            if reason == "CERTIFICATE_VERIFY_FAILED" {
                return .tlsVerification(diagnosis?.failure ?? .other("certificate verification failed"))
            }
            if reason == "WRONG_VERSION_NUMBER" {
                return .tlsFailed("the server did not answer in TLS")
            }
            return .tlsFailed(reason)
        case NIOSSLError.uncleanShutdown:
            return .connectionClosed
        case let error as NIOSSLError:
            return .tlsFailed("\(error)")
        case let error as BoringSSLError:
            return .tlsFailed(Self.boringSSLReason(error))
        default:
            return .connectionClosed
        }
    }

    /// BoringSSL's reason token (e.g. `CERTIFICATE_VERIFY_FAILED`) without codes and source paths.
    private static func boringSSLReason(_ error: BoringSSLError) -> String {
        switch error {
        case .sslError(let stack), .unknownError(let stack):
            let reasons = stack.compactMap { entry -> String? in
                // "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:REASON at file:line"
                let text = entry.description
                guard let marker = text.range(of: "OPENSSL_internal:") else { return nil }
                let rest = text[marker.upperBound...]
                return String(rest.prefix { $0 != " " })
            }
            return reasons.first ?? "\(error)"
        case .zeroReturn, .syscallError:
            return "the server closed the connection during the handshake"
        default:
            return "\(error)"
        }
    }
}
