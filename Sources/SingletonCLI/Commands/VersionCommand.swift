import ArgumentParser
import KubeAPIMachinery
import SingletonCore

/// `version`: the plugin's version and the installed webhook's, shaped like `kubectl version`.
struct VersionCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the plugin and webhook versions.",
        discussion: """
            Prints the plugin's version and, unless --client, the installed webhook's: the image
            tag of the singleton-webhook Deployment (in singleton-system, or -n), which is the
            webhook version the cluster runs. -o json|yaml prints clientVersion (gitVersion,
            gitCommit, buildDate, platform, as kubectl version does) and webhookVersion.

            Examples:
              kubectl singleton version
              kubectl singleton version --client -o json

            Exit codes: 0 printed (a webhook that is not installed is said so); 1 the cluster
            could not be asked, or bad arguments.
            """
    )

    static let outputs = ["json", "yaml"]

    @OptionGroup var kube: KubeOptions
    @Flag(help: "Print the plugin's version only; do not contact the cluster.") var client = false
    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs))
    var output: OutputFormat?

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "version")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        var document: [String: JSONValue] = ["clientVersion": PluginBuild.clientVersion]
        var lines = ["Client Version: \(PluginVersion.current)"]
        var failure: String?
        if !client {
            switch await webhookVersion(env) {
            case .success(let webhook):
                document["webhookVersion"] = webhook.document
                lines.append("Webhook Version: \(webhook.text)")
            case .failure(let error):
                failure = error.message
            }
        }
        if let output {
            env.out.write(output.render(.object(document)))
        } else {
            for line in lines { env.out.line(line) }
        }
        guard let failure else { return 0 }
        env.err.line("error: cannot read the webhook version: \(failure)")
        return 1
    }

    struct WebhookVersion {
        var document: JSONValue
        var text: String
    }

    /// The webhook Deployment's image tag (the webhook serves no version endpoint the API
    /// server can proxy cheaply). Not installed and not readable are answers, not failures.
    func webhookVersion(_ env: CLIEnvironment) async -> Result<WebhookVersion, CLIError> {
        let namespace = kube.namespace ?? InstallPlan.defaultNamespace
        let name =
            (try? InstallPlan.make(InstallOptions(namespace: namespace), files: DeployManifests.files))?
            .objects.first { $0["kind"] == "Deployment" }?[path: "metadata", "name"]?.stringValue ?? "singleton-webhook"
        let ref = "deployment.apps/\(name) in \(namespace)"
        let api: any KubeAPI
        do { api = try env.connector.connect(kube) } catch {
            return .failure(CLIError("\(error)"))
        }
        do {
            let deployment = try await api.get(WorkloadKind.deployment.objectPath(namespace: namespace, name: name))
            let image =
                deployment[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"]?.stringValue
                ?? ""
            let tag = Self.tag(of: image)
            return .success(
                WebhookVersion(
                    document: [
                        "gitVersion": tag.map(JSONValue.string) ?? .null, "image": .string(image),
                        "source": .string("image tag of \(ref)"),
                    ],
                    text: "\(tag ?? "unknown (image \(image) has no tag)") (image tag of \(ref))"))
        } catch {
            if error.isNotFound {
                return .success(
                    WebhookVersion(
                        document: ["gitVersion": .null, "source": .string("not installed: no \(ref)")],
                        text: "not installed (no \(ref); kubectl singleton install)"))
            }
            if error.isForbidden {
                env.err.line("Warning: \(error.description)")
                return .success(
                    WebhookVersion(
                        document: ["gitVersion": .null, "source": .string("unknown: you may not read \(ref)")],
                        text: "unknown (you may not read \(ref))"))
            }
            return .failure(CLIError(error.description))
        }
    }

    /// `registry:5000/x/singleton-webhook:v0.1.0@sha256:...` → `v0.1.0`; nil without a tag.
    static func tag(of image: String) -> String? {
        let withoutDigest = image.split(separator: "@").first.map(String.init) ?? image
        let lastPart = withoutDigest.split(separator: "/").last.map(String.init) ?? withoutDigest
        guard let colon = lastPart.lastIndex(of: ":") else { return nil }
        return String(lastPart[lastPart.index(after: colon)...])
    }
}

/// What this binary is, in `kubectl version`'s clientVersion fields. A development build has
/// no commit or date stamped in (like an unstamped kubectl build): those fields are empty.
enum PluginBuild {
    static let gitCommit = ""
    static let buildDate = ""

    static var platform: String {
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "darwin"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return "\(os)/\(arch)"
    }

    static var clientVersion: JSONValue {
        let parts = KubeSingletonVersion.current.split(separator: ".").map(String.init)
        return [
            "major": .string(parts.first ?? ""), "minor": .string(parts.count > 1 ? parts[1] : ""),
            "gitVersion": .string(PluginVersion.current), "gitCommit": .string(gitCommit),
            "buildDate": .string(buildDate),
            "compiler": "swiftc", "platform": .string(platform),
        ]
    }
}
