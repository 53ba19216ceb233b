// swift-tools-version: 6.2
import PackageDescription

/// libFuzzer targets for kube-singleton's readers of untrusted bytes, built only by
/// scripts/fuzz.sh (`make fuzz`), with `-sanitize=fuzzer,address`, in `.build-fuzz`.
///
/// Why a package of its own: the normal build must not pay for sanitized copies, and the
/// fuzz binaries take libFuzzer's `main`. `Modules/` links to the package's own source
/// directories; KubeSandbox and SingletonCLI are compiled from the files that read client
/// bytes only, so the fuzz build leaves out SwiftNIO, libcurl and OpenSSL.
let package = Package(
    name: "kube-singleton-fuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "SingletonCore", path: "Modules/SingletonCore"),
        .target(name: "KubeAPIMachinery", path: "Modules/KubeAPIMachinery"),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeAPIMachinery", .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Modules/KubeClient"
        ),
        // lint's manifest reading.
        .target(
            name: "SingletonCLI",
            dependencies: ["SingletonCore", "KubeAPIMachinery", .product(name: "Yams", package: "Yams")],
            path: "Modules/SingletonCLI",
            sources: ["Lint/ManifestSource.swift", "Lint/Linter.swift", "Support/YAMLBridge.swift"]
        ),
        // What turns a request's bytes into objects: bodies, patches, selectors, CEL.
        .target(
            name: "KubeSandbox",
            dependencies: ["KubeAPIMachinery"],
            path: "Modules/KubeSandbox",
            sources: [
                "KubeAPIError+Sandbox.swift", "JSONPatch.swift", "StrategicMerge.swift", "LabelSelection.swift",
                "ProtobufDecoding.swift", "ProtobufSchemas.swift", "CELParser.swift", "CELSubset.swift",
                "ResourceCatalog.swift", "ObjectStore.swift", "ObjectPreparation.swift", "HPAConversion.swift",
                "WebhookMatching.swift", "AdmissionAttributes.swift",
            ]
        ),
        .executableTarget(name: "fuzz-review", dependencies: ["SingletonCore"]),
        .executableTarget(
            name: "fuzz-yaml", dependencies: ["KubeClient", "SingletonCLI", "SingletonCore", "KubeAPIMachinery"]),
        .executableTarget(name: "fuzz-sandbox", dependencies: ["KubeSandbox", "KubeAPIMachinery"]),
    ],
    swiftLanguageModes: [.v6]
)
