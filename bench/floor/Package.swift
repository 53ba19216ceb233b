// swift-tools-version: 6.2
import PackageDescription

/// The benchmark's floor: the webhook's network stack (SwiftNIO, NIOSSL, NIOHTTP1) answering
/// every request with fixed bytes, deciding nothing. `bench/run.sh` builds and measures it
/// beside the webhook and nginx, so the report separates what the stack costs from what the
/// webhook's own work costs. Not part of the product.
let package = Package(
    name: "nio-floor",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .executableTarget(
            name: "nio-floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
