// swift-tools-version: 6.2
import PackageDescription

/// kube-singleton: a validating admission webhook and a kubectl plugin that keep
/// singleton workloads at one replica. The modules: docs/architecture.md.
let package = Package(
    name: "kube-singleton",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "singleton-webhook", targets: ["singleton-webhook"]),
        .executable(name: "kubectl-singleton", targets: ["kubectl-singleton"]),
        .executable(name: "singleton-sandbox", targets: ["singleton-sandbox"]),
        .executable(name: "singleton-run", targets: ["singleton-run"]),
        .library(name: "SingletonCore", targets: ["SingletonCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C system libraries: typed static-inline shims only.
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // glibc's malloc_trim, which the Glibc module does not export.
        .systemLibrary(name: "CMalloc"),

        // fork + exec with the child in its own process group and PR_SET_PDEATHSIG, which
        // Foundation's Process cannot set (and fork cannot be called from Swift safely).
        .target(name: "CSpawn"),

        // Pure core: Foundation only, no I/O.
        .target(name: "SingletonCore"),

        // client-go's Lease leader election as a value: events in, actions out, clock injected.
        .target(name: "LeaderElection", dependencies: ["KubeAPIMachinery"]),

        // The Kubernetes API vocabulary every edge shares (JSON value, Status and its error,
        // patch types, list metadata, backoff, retry-on-conflict): Foundation only, no I/O.
        .target(name: "KubeAPIMachinery"),

        // X.509 and key material over OpenSSL: the one Swift wrapper that touches its pointers.
        .target(name: "KubeCertificates", dependencies: ["COpenSSL"]),

        // Kubernetes API client: kubeconfig, credentials, verbs, watches; no network stack of
        // its own (see KubeTransport).
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeAPIMachinery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // KubeClient's transport over libcurl, and the client key check over OpenSSL: for the
        // plugin and the sandbox. The webhook does not link it.
        .target(name: "KubeCurl", dependencies: ["KubeClient", "CCurl", "KubeCertificates"]),

        // KubeTransport over SwiftNIO + NIOSSL, for the webhook (no libcurl in its process).
        .target(
            name: "KubeNIOTransport",
            dependencies: [
                "KubeClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // SwiftNIO HTTPS server plumbing shared by the webhook and the sandbox.
        .target(
            name: "HTTPSServerKit",
            dependencies: [
                "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "WebhookServer",
            dependencies: [
                "SingletonCore", "KubeAPIMachinery", "KubeClient", "KubeNIOTransport", "HTTPSServerKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        .target(
            name: "KubeSandbox",
            dependencies: [
                "KubeAPIMachinery", "KubeClient", "KubeCurl", "KubeCertificates", "HTTPSServerKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .target(
            name: "SingletonCLI",
            dependencies: [
                "SingletonCore", "KubeAPIMachinery", "KubeClient", "KubeCurl", "KubeCertificates",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // singleton-run: runs a command only while it holds a Lease.
        .target(
            name: "SingletonRun",
            dependencies: [
                "LeaderElection", "KubeAPIMachinery", "KubeClient", "KubeCurl", "CSpawn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Thin executables.
        .executableTarget(
            name: "singleton-webhook",
            dependencies: [
                "SingletonCore", "WebhookServer", "KubeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "webhook",
            exclude: ["Dockerfile"]
        ),
        .executableTarget(
            name: "kubectl-singleton",
            dependencies: ["SingletonCLI"],
            path: "plugin",
            exclude: ["singleton.yaml", "kubectl_complete-singleton"]
        ),
        .executableTarget(
            name: "singleton-sandbox",
            dependencies: [
                "KubeSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "sandbox"
        ),
        .executableTarget(name: "singleton-run", dependencies: ["SingletonRun"], path: "run"),

        // Helpers shared by the test targets (Signal, a seeded RNG, a subprocess runner, and
        // the HTTPS and raw byte clients that drive the servers).
        .target(
            name: "TestSupport",
            dependencies: [
                "KubeCertificates", "HTTPSServerKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SingletonCoreTests", dependencies: ["SingletonCore", "KubeAPIMachinery", "TestSupport"]),
        .testTarget(name: "KubeAPIMachineryTests", dependencies: ["KubeAPIMachinery"]),
        .testTarget(name: "LeaderElectionTests", dependencies: ["LeaderElection", "KubeAPIMachinery"]),
        .testTarget(
            name: "SingletonRunTests",
            dependencies: [
                "SingletonRun", "LeaderElection", "KubeAPIMachinery", "KubeSandbox", "KubeClient", "KubeCurl",
                "SingletonCLI", "TestSupport", .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(name: "KubeCertificatesTests", dependencies: ["KubeCertificates"]),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeAPIMachinery", "KubeClient", "KubeCurl", "KubeCertificates", "HTTPSServerKit", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "KubeNIOTransportTests",
            dependencies: [
                "KubeNIOTransport", "KubeAPIMachinery", "KubeClient", "KubeCurl", "KubeSandbox", "TestSupport",
                "KubeCertificates", "HTTPSServerKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "HTTPSServerKitTests",
            dependencies: [
                "HTTPSServerKit", "KubeClient", "KubeCurl", "KubeCertificates", "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: [
                "WebhookServer", "KubeAPIMachinery", "KubeClient", "KubeCurl", "KubeSandbox", "HTTPSServerKit",
                "KubeCertificates", "TestSupport",
            ]),
        .testTarget(
            name: "KubeSandboxTests",
            dependencies: [
                "KubeSandbox", "KubeAPIMachinery", "KubeClient", "KubeCurl", "HTTPSServerKit", "KubeCertificates",
                "TestSupport",
            ]),
        .testTarget(
            name: "SingletonCLITests",
            dependencies: ["SingletonCLI", "KubeAPIMachinery", "KubeSandbox", "KubeClient", "KubeCurl", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
