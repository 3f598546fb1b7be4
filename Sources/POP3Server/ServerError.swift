import Foundation

/// Why the in-memory server could not be set up or started.
public enum ServerError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case tlsNotConfigured
    case invalidTLSMaterial(String)
    case bindFailed(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .tlsNotConfigured:
            return "Implicit TLS was requested but the server was created without a ServerTLS certificate and key."
        case .invalidTLSMaterial(let reason):
            return "The server certificate or private key could not be loaded (\(reason)); pass a PEM certificate chain and its PEM key."
        case let .bindFailed(host, port, reason):
            return "Could not listen on \(host):\(port) (\(reason)); choose another port or use port 0 for a free one."
        }
    }

    public var errorDescription: String? { description }
}
