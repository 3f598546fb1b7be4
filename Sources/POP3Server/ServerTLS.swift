import NIOSSL

/// The certificate and key the server presents, for implicit TLS (`start(implicitTLS: true)`) and for STLS.
public struct ServerTLS: Sendable {
    let context: NIOSSLContext

    /// Loads a PEM certificate chain (leaf first) and its PEM private key from files.
    /// - Throws: `ServerError.invalidTLSMaterial` when a file is unreadable or not a matching PEM chain and key.
    public init(certificateChainFile: String, privateKeyFile: String) throws {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateChainFile)
            let key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
            self.context = try Self.makeContext(chain: chain, key: key)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.invalidTLSMaterial("\(certificateChainFile), \(privateKeyFile): \(error)")
        }
    }

    /// Builds the context from PEM bytes, for callers that generate or embed their material.
    /// - Throws: `ServerError.invalidTLSMaterial` when the bytes are not a matching PEM chain and key.
    public init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) throws {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(certificateChainPEM)
            let key = try NIOSSLPrivateKey(bytes: privateKeyPEM, format: .pem)
            self.context = try Self.makeContext(chain: chain, key: key)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.invalidTLSMaterial("\(error)")
        }
    }

    private static func makeContext(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) throws -> NIOSSLContext {
        guard !chain.isEmpty else { throw ServerError.invalidTLSMaterial("no certificate in the PEM data") }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        return try NIOSSLContext(configuration: configuration)
    }
}
