// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

/// The daemon's resident size at rest (issue 9): linked with lld, relative relocations packed (DT_RELR, glibc ≥ 2.36:
/// the loader reads a few kilobytes instead of 2 MB of `.rela.dyn`) and identical functions folded.
let residentSize: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--icf=all", "-Xlinker", "--no-export-dynamic"],
                 .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "CardGate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cardgate", targets: ["cardgate"]),
        .executable(name: "vcard", targets: ["vcard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.30.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
    ],
    targets: [
        // The C library pcsc-lite, found with pkg-config (Debian: libpcsclite-dev).
        .systemLibrary(
            name: "CPCSCLite",
            pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]
        ),
        // Linux calls Swift's Glibc does not show (accept4, pipe2, SO_PEERCRED, timerfd): thin C wrappers.
        .target(name: "CLinux"),
        // The words that cross modules, declared once: card GUID, PIN, reader role, door direction, lock reason,
        // terminal state, card status, weekday, hex. No dependencies.
        .target(name: "Vocabulary", swiftSettings: strict),
        // Bytes on the wire: command/response APDUs, status words, BER-TLV. Pure Swift, no I/O.
        .target(name: "APDU", dependencies: ["Vocabulary"], swiftSettings: strict),
        // The typed pcsc-lite binding: context, readers, connections, the reader monitor.
        .target(name: "SmartCard", dependencies: ["CPCSCLite", "APDU", "Vocabulary"], swiftSettings: strict),
        // The PIV card-authentication profile: identity, certificate, challenge-response.
        .target(
            name: "OperatorCard",
            dependencies: [
                "APDU", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        // The virtual PIV card and the vpcd wire protocol that puts it into a real pcscd.
        .target(
            name: "VirtualCard",
            dependencies: [
                "APDU", "OperatorCard", "Secrets", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vcard",
            dependencies: [
                "VirtualCard", "OperatorCard", "APDU", "Vocabulary",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Secret files (pepper, signing key, session tokens): mode 0600 or refused.
        .target(name: "Secrets", swiftSettings: strict),
        // The tamper-evident SQLite history (clause 20).
        .target(
            name: "History",
            dependencies: [
                "Secrets",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The raw SQLite API, for the verify loop only (reads columns without copying them).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // PIN hashing (scrypt + pepper) and PIN policy.
        .target(
            name: "Credentials",
            dependencies: [
                "Secrets", "Vocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Operators, cards, rooms, grants and the equipment ledger.
        .target(
            name: "Registry",
            dependencies: [
                "Credentials", "Vocabulary",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Pure state machines for terminals and doors; no I/O, tested with a fake clock.
        .target(name: "AccessPolicy", dependencies: ["Vocabulary"], swiftSettings: strict),
        // The configuration file (TOML, with comments), validated at load, with environment overrides.
        .target(
            name: "CardGateConfig",
            dependencies: ["AccessPolicy", "Vocabulary", .product(name: "TOMLKit", package: "TOMLKit")],
            path: "Sources/Configuration",
            swiftSettings: strict
        ),
        // The local API on a Unix socket (Hummingbird), the GatewayService protocol it calls, and its client.
        .target(
            name: "GatewayAPI",
            dependencies: [
                "Vocabulary", "CLinux",
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // One installation as its configuration file describes it: opens the history and the registry.
        .target(
            name: "Installation",
            dependencies: ["CardGateConfig", "History", "Registry", "Credentials"],
            swiftSettings: strict
        ),
        // The daemon's core: readers → card checks → policy → history and commands; serves the local API.
        .target(
            name: "Gateway",
            dependencies: [
                "SmartCard", "OperatorCard", "History", "Registry", "Credentials", "AccessPolicy", "CardGateConfig",
                "Installation", "GatewayAPI", "Vocabulary", "CLinux",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "cardgate",
            dependencies: [
                "SmartCard", "OperatorCard", "VirtualCard", "History", "Secrets", "Credentials", "Registry", "AccessPolicy",
                "CardGateConfig", "Installation", "GatewayAPI", "Gateway", "Vocabulary",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            linkerSettings: residentSize
        ),

        // Durable appends and verification beside plain baselines: swift run -c release history-bench
        .executableTarget(
            name: "history-bench",
            dependencies: [
                "History", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/History",
            swiftSettings: strict
        ),
        // Seven years and more of a city hall's history, then the auditor's queries and a full verify:
        // swift run -c release history-years [--scale 1]
        .executableTarget(
            name: "history-years",
            dependencies: ["CityHall", "History", .product(name: "Crypto", package: "swift-crypto")],
            path: "Benchmarks/Years",
            swiftSettings: strict
        ),
        // The simulated city hall that history-years writes, also run briefly by `make test` (CityHallTests).
        .target(name: "CityHall", dependencies: ["History"], path: "Benchmarks/CityHall", swiftSettings: strict),
        // The daemon's reaction times, memory and idle CPU against real pcscd (needs the release cardgate):
        // swift build -c release --static-swift-stdlib --product cardgate && swift run -c release --static-swift-stdlib gateway-bench
        .executableTarget(
            name: "gateway-bench",
            dependencies: [
                "CPCSCLite", "VirtualCard", "CardGateConfig", "Installation", "Registry", "Credentials", "GatewayAPI", "Vocabulary",
            ],
            path: "Benchmarks/Gateway",
            swiftSettings: strict
        ),

        // Helpers several test targets share: a scripted fake card channel, control of the rig's pcscd.
        .target(name: "TestSupport", dependencies: ["APDU", "Vocabulary"], path: "Tests/TestSupport"),
        .testTarget(name: "CityHallTests", dependencies: ["CityHall", "History"], swiftSettings: strict),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "APDUTests", dependencies: ["Vocabulary", "APDU", "TestSupport"]),
        .testTarget(name: "SmartCardTests", dependencies: ["Vocabulary", "SmartCard", "VirtualCard", "TestSupport"]),
        .testTarget(name: "OperatorCardTests", dependencies: ["Vocabulary", "OperatorCard", "VirtualCard", "TestSupport"]),
        .testTarget(name: "VirtualCardTests", dependencies: ["Vocabulary", "VirtualCard"]),
        .testTarget(name: "SecretsTests", dependencies: ["Vocabulary", "Secrets"]),
        // Appends from separate processes for the history's process tests; test-only, not in the cardgate executable.
        .executableTarget(name: "history-append-tool", dependencies: ["History"], path: "Tests/HistoryAppendTool", swiftSettings: strict),
        .testTarget(name: "HistoryTests", dependencies: ["Vocabulary", "History", "history-append-tool", .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CredentialsTests", dependencies: ["Vocabulary", "Credentials"]),
        .testTarget(name: "RegistryTests", dependencies: ["Vocabulary", "Registry", "Credentials", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "AccessPolicyTests", dependencies: ["Vocabulary", "AccessPolicy"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Vocabulary", "CardGateConfig"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Vocabulary",
                "Gateway", "AccessPolicy", "History", "Registry", "Credentials", "CardGateConfig", "GatewayAPI",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GatewayAPITests",
            dependencies: ["Vocabulary",
                "GatewayAPI",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // End-to-end tests: real pcscd, the vcard and cardgate executables, real SQLite files.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Vocabulary", "APDU", "SmartCard", "OperatorCard", "VirtualCard", "History", "vcard", "cardgate", "TestSupport",
                "Registry", "Credentials", "GatewayAPI", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Support/flood.py"]
        ),
    ]
)

// Fuzzing (issue 12, Fuzz/README.md). The harness and its regression tests are always built and run with
// `make test`; the libFuzzer executables `fuzz-<name>` only when CARDGATE_FUZZ=1 (`make fuzz`),
// because they need `-sanitize=fuzzer`. Adding a target: Fuzz/Harness/Targets/<Name>Target.swift, its line in
// FuzzTargets.all, its name below, and a copy of Fuzz/tlv/main.swift naming it in Fuzz/<name>/.
let fuzzTargetNames = ["tlv", "exchange", "card-objects", "card-responses", "vpcd", "api-body", "http", "sse", "config", "proof", "export"]
package.targets += [
    .target(
        name: "FuzzHarness",
        dependencies: [
            "APDU", "OperatorCard", "VirtualCard", "GatewayAPI", "CardGateConfig", "History", "Vocabulary",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ],
        path: "Fuzz/Harness",
        swiftSettings: strict
    ),
    .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzHarness"]),
]
if Context.environment["CARDGATE_FUZZ"] == "1" {
    package.targets += fuzzTargetNames.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzHarness", "CLibFuzzer"], path: "Fuzz/\(name)", swiftSettings: strict)
    }
    package.targets.append(.target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
}
