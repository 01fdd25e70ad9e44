// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "logq",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "logq", targets: ["logq"]),
        .executable(name: "logq-gen", targets: ["logq-gen"]),
        // Libraries for the Benchmarks/ package (and for embedding).
        .library(name: "AuditCore", targets: ["AuditCore"]),
        .library(name: "SegmentStore", targets: ["SegmentStore"]),
        .library(name: "AuditIngest", targets: ["AuditIngest"]),
        .library(name: "LogQuery", targets: ["LogQuery"]),
        .library(name: "MetricsAgg", targets: ["MetricsAgg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // SHA-256 for the store's hash chain; RSA (SHA256withRSA, PKCS#1 v1.5) for CloudTrail digests.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The ingest service's lifecycle (graceful shutdown on SIGTERM/SIGINT).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // NIOPosix/NIOHTTP1 for the CLI's small HTTP/1.1 client of `logq --server` (already built for Hummingbird).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // TLS for `logq serve --tls-cert/--tls-key` and for the client's https:// (BoringSSL inside).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // zlib (Debian zlib1g-dev) for the DEFLATE codec of blocks and for .gz inputs.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libdeflate (Debian libdeflate-dev): whole-buffer DEFLATE, ~3× zlib's speed, same format.
        .systemLibrary(
            name: "CLibdeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        // PCRE2 (Debian libpcre2-dev) with its JIT: ~12× Swift Regex on URI patterns (FACTS.md).
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "AuditCore"),
        .target(
            name: "SegmentStore",
            dependencies: ["AuditCore", "CZlib", "CLibdeflate", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "AuditIngest", dependencies: ["AuditCore", "SegmentStore", "CZlib", "CLibdeflate"]),
        .target(name: "LogQuery", dependencies: ["AuditCore", "SegmentStore", "CPCRE2"]),
        .target(
            name: "MetricsAgg",
            dependencies: [
                "AuditCore", "SegmentStore", "LogQuery",
                // Remote write's pushes (Sources/MetricsAgg/RemoteWrite): the blocking HTTP client, no Hummingbird.
                "LogClient", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "LogServer",
            dependencies: [
                "AuditCore", "SegmentStore", "AuditIngest", "LogQuery", "MetricsAgg",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            // The web page of `logq serve` (WebUIRoutes), compiled into the binary as byte arrays.
            resources: [.embedInCode("WebUI")]
        ),
        // logq's blocking-socket HTTP/1.1 client: the CLI's `--server`, and pushes to other services.
        .target(
            name: "LogClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ]
        ),
        // Events → ClickHouse over its HTTP interface: the table, JSONEachRow batches, checkpoints.
        .target(
            name: "ClickHouseExport",
            dependencies: [
                "AuditCore", "SegmentStore", "LogQuery", "LogClient", "CLibdeflate",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Validation of a local copy of a CloudTrail trail against its digest files (hashes, chain, RSA).
        .target(
            name: "TrailVerify",
            dependencies: [
                "AuditCore", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "logq",
            dependencies: [
                "AuditCore", "SegmentStore", "AuditIngest", "LogQuery", "MetricsAgg", "LogServer",
                "TrailVerify", "LogClient", "ClickHouseExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Deterministic generator of realistic benchmark data (k8s audit hours, CloudTrail S3 layout).
        .executableTarget(name: "logq-gen", dependencies: ["AuditCore", "CZlib"]),
        // Fixture loaders and record builders shared by the test targets (not a product).
        .target(name: "TestSupport", dependencies: ["AuditCore", "SegmentStore"]),

        .testTarget(name: "AuditCoreTests", dependencies: ["AuditCore", "TestSupport"]),
        .testTarget(name: "SegmentStoreTests", dependencies: ["SegmentStore", "TestSupport"]),
        .testTarget(name: "AuditIngestTests", dependencies: ["AuditIngest", "TestSupport"]),
        .testTarget(name: "LogQueryTests", dependencies: ["LogQuery", "AuditIngest", "TestSupport"]),
        .testTarget(name: "MetricsAggTests", dependencies: ["MetricsAgg", "AuditIngest", "LogQuery", "SegmentStore", "TestSupport"]),
        .testTarget(
            name: "TrailVerifyTests",
            dependencies: [
                "TrailVerify", "AuditCore", "CZlib", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "LogServerTests",
            dependencies: [
                "LogServer", "TestSupport", "LogQuery", "SegmentStore", "AuditCore", "AuditIngest",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Runs the built `logq` binary: output and exit codes, as a user sees them.
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "SegmentStore", "AuditCore"]),
        .testTarget(name: "ClickHouseExportTests", dependencies: ["ClickHouseExport", "AuditCore", "SegmentStore", "TestSupport"]),
    ]
)

// One settings list for every target (Swift 6 language mode is the tools-version default).
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
