// swift-tools-version: 6.2
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SkillBank",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "skillbank", targets: ["skillbank"]),
        .library(name: "SkillCore", targets: ["SkillCore"]),
        .library(name: "SkillCrypto", targets: ["SkillCrypto"]),
        .library(name: "SkillCredentials", targets: ["SkillCredentials"]),
        .library(name: "SkillStore", targets: ["SkillStore"]),
        .library(name: "SkillStoreSQLite", targets: ["SkillStoreSQLite"]),
        .library(name: "SkillStorePostgres", targets: ["SkillStorePostgres"]),
        .library(name: "SkillLedger", targets: ["SkillLedger"]),
        .library(name: "SkillServer", targets: ["SkillServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Webhook delivery (already in the graph through Hummingbird's test client).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "SkillCore", swiftSettings: upcoming),
        .target(
            name: "SkillCrypto",
            dependencies: ["COpenSSL", "CZlib", "SkillCore"],
            swiftSettings: upcoming
        ),
        .target(
            name: "SkillCredentials",
            dependencies: ["SkillCore", "SkillCrypto"],
            swiftSettings: upcoming
        ),
        // The store protocols, one per aggregate, and the unit of work: no database library.
        .target(name: "SkillStore", dependencies: ["SkillCore"], swiftSettings: upcoming),
        // The embedded default store: GRDB over the system libsqlite3.
        .target(
            name: "SkillStoreSQLite",
            dependencies: ["SkillCore", "SkillStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: upcoming
        ),
        // The store on a PostgreSQL server, laid out for Citus (citus.sql ships beside it).
        .target(
            name: "SkillStorePostgres",
            dependencies: [
                "SkillCore", "SkillStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["citus.sql"],
            swiftSettings: upcoming
        ),
        // The use cases: load → decide (pure rules) → persist, through the store protocols only.
        .target(
            name: "SkillLedger",
            dependencies: [
                "SkillCore", "SkillCrypto", "SkillCredentials", "SkillStore",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: upcoming
        ),
        .target(
            name: "SkillServer",
            dependencies: [
                "SkillCore", "SkillCrypto", "SkillCredentials", "SkillLedger", "SkillStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "skillbank",
            dependencies: [
                "SkillCore", "SkillCrypto", "SkillLedger", "SkillServer", "SkillStore", "SkillStoreSQLite", "SkillStorePostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "skillbank-bench",
            dependencies: [
                "SkillCore", "SkillCrypto", "SkillCredentials", "SkillLedger", "SkillStore", "SkillStoreSQLite", "SkillStorePostgres", "SkillServer",
                // Reads ids straight from the bank's file to drive the runs.
                .product(name: "GRDB", package: "GRDB.swift"),
                // The webhook run: a receiver in the same process, and the plain sender it is compared with.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tools/SkillbankBench",
            swiftSettings: upcoming
        ),
        .target(name: "SkillFuzzTargets", dependencies: ["SkillCore", "SkillCredentials", "SkillLedger"], swiftSettings: upcoming),
        .executableTarget(name: "skillbank-fuzz", dependencies: ["SkillFuzzTargets", "SkillCore", "SkillCredentials", "SkillLedger"], path: "Tools/Fuzz/Sources", swiftSettings: upcoming),
        .target(
            name: "SkillTestSupport", dependencies: ["SkillCore", "SkillCrypto", "SkillLedger", "SkillStore", "SkillStoreSQLite", "SkillStorePostgres"], path: "Tests/SkillTestSupport",
            swiftSettings: upcoming),
        .testTarget(name: "SkillCoreTests", dependencies: ["SkillCore"], resources: [.copy("Fixtures")], swiftSettings: upcoming),
        .testTarget(name: "SkillCredentialsTests", dependencies: ["SkillCredentials", "SkillCrypto", "SkillCore"], resources: [.copy("Fixtures")], swiftSettings: upcoming),
        .testTarget(name: "SkillCryptoTests", dependencies: ["SkillCrypto", "SkillCore"], swiftSettings: upcoming),
        .testTarget(
            name: "SkillLedgerTests",
            dependencies: [
                "SkillTestSupport", "SkillLedger", "SkillCore", "SkillCrypto", "SkillCredentials", "SkillStore", "SkillStoreSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: upcoming),
        // One contract every store must pass, run against each store there is.
        .testTarget(
            name: "SkillStoreContractTests",
            dependencies: ["SkillTestSupport", "SkillStore", "SkillStoreSQLite", "SkillStorePostgres", "SkillLedger", "SkillCore", "SkillCredentials"],
            swiftSettings: upcoming),
        .testTarget(
            name: "SkillServerTests",
            dependencies: [
                "SkillServer", "SkillLedger", "SkillCore", "SkillCredentials", "SkillCrypto", "SkillTestSupport", "SkillStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "SkillbankCLITests",
            // GRDB only to damage a bank's file the way a hand on the disk could.
            dependencies: ["skillbank", "SkillTestSupport", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: upcoming),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["SkillFuzzTargets", "SkillCore", "SkillCredentials", "SkillLedger"], swiftSettings: upcoming),
    ],
    swiftLanguageModes: [.v6]
)
