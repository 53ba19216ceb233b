import Foundation
@testable import KubeClient
@testable import SingletonCLI
import SingletonCore

/// The plugin's YAML readers on arbitrary bytes, each as the plugin hands them a file: the
/// kubeconfig reader through merging and resolution (file reads answer nothing), and
/// `lint`'s manifest reader through the linter. Errors are answers; a crash or a hang
/// (libFuzzer's -timeout) fails.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()

    // ClientConfigLoader reads a kubeconfig file this way.
    if let file = try? KubeConfigFile.parse(String(decoding: data, as: UTF8.self), path: "/fuzz/config") {
        let merged = MergedKubeConfig(merging: [file])
        let resolver = ConfigResolver(merged: merged, environment: [:], readFile: { _ in nil })
        _ = try? resolver.resolve(KubeConfigOptions())
    }

    // ManifestReader reads a manifest file this way.
    var set = ManifestSet()
    if let text = String(data: data, encoding: .utf8) {
        ManifestParser.parse(text, file: "fuzz.yaml", into: &set)
        _ = Linter().lint(set.objects)
    }
    return 0
}
