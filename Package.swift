// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Engram",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "EngramKernels", targets: ["EngramKernels"]),
        .library(name: "EngramSpiking", targets: ["EngramSpiking"]),
        .library(name: "EngramFewShot", targets: ["EngramFewShot"]),
        .executable(name: "engram", targets: ["engram"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Core learning targets: toolchain only.
        .target(name: "CEngramKernels"),
        .target(name: "EngramKernels", dependencies: ["CEngramKernels"]),
        .target(name: "EngramSpiking", dependencies: ["EngramKernels"]),
        .target(name: "EngramFewShot", dependencies: ["EngramKernels", "EngramSpiking"]),

        // Data loaders and benchmark harnesses behind `engram bench` and `engram fewshot eval`.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(name: "EngramBenchmarks", dependencies: ["EngramFewShot", "EngramSpiking", "CZlib"]),

        .executableTarget(
            name: "engram",
            dependencies: [
                "EngramFewShot", "EngramSpiking", "EngramBenchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "EngramKernelsTests", dependencies: ["EngramKernels"]),
        .testTarget(name: "EngramSpikingTests", dependencies: ["EngramSpiking"]),
        .testTarget(
            name: "EngramFewShotTests",
            dependencies: ["EngramFewShot"],
            resources: [.copy("Resources/fewshot-golden.json")]
        ),
        .testTarget(name: "EngramBenchmarksTests", dependencies: ["EngramBenchmarks", "EngramFewShot"]),
    ],
    swiftLanguageModes: [.v6]
)
