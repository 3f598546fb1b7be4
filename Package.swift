// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Mailbag",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mailbag", targets: ["mailbag"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .target(
            name: "POP3",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "MailMessage"),
        .target(
            name: "Inbox",
            dependencies: [
                "POP3", "MailMessage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(name: "TUI", dependencies: ["Inbox", "MailMessage", "CNcurses"]),
        .target(
            name: "POP3Server",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "mailbag",
            dependencies: [
                "TUI", "Inbox", "POP3", "MailMessage", "POP3Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "MIMEBench", dependencies: ["MailMessage"], path: "Benchmarks/MIMEBench"),
        .executableTarget(
            name: "MailbagBench",
            dependencies: [
                "Inbox", "TUI", "POP3", "POP3Server", "MailMessage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The floor client: a bare NIO channel, with swift-nio-ssl for implicit TLS.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Benchmarks/MailbagBench"),
        .testTarget(
            name: "POP3Tests",
            dependencies: [
                "POP3", "POP3Server", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // What the tests of every target share: the property tests' seeded generator, the clock
        // that moves only when a test says so.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "MailMessageTests", dependencies: ["MailMessage", "TestSupport"], resources: [.copy("Corpus")]),
        .testTarget(
            name: "InboxTests",
            dependencies: ["Inbox", "MailMessage", "POP3", "POP3Server", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Inbox", "MailMessage"]),
        .testTarget(name: "IntegrationTests", dependencies: ["POP3", "Inbox", "MailMessage", "POP3Server"]),
    ]
)
