import Foundation
@testable import SingletonCLI
import SingletonCore
import Testing

/// The pure parts of kubectl parity: argv as pflag reads it, JSONPath templates, targets.
@Suite struct KubectlParsingTests {
    @Test func argumentsAreNormalisedAsKubectlReadsThem() {
        let n = KubectlArguments.normalize
        #expect(n(["-n", "shop", "list"]) == ["list", "-n", "shop"])
        #expect(n(["-nshop", "--context=prod", "list", "-A"]) == ["list", "-n", "shop", "--context=prod", "-A"])
        #expect(n(["enable", "deploy/a", "-n=shop", "-ojson"]) == ["enable", "deploy/a", "-n", "shop", "-o", "json"])
        #expect(n(["enable", "deploy/a", "--dry-run"]) == ["enable", "deploy/a", "--dry-run=client"])
        #expect(n(["--insecure-skip-tls-verify", "-v6", "list"]) == ["list", "--insecure-skip-tls-verify", "-v", "6"])
        // A flag's value is never rewritten, nor anything after --.
        #expect(n(["enable", "--lease", "-nope", "deploy/a"]) == ["enable", "--lease", "-nope", "deploy/a"])
        #expect(n(["lint", "--", "-nshop"]) == ["lint", "--", "-nshop"])
        #expect(n(["__complete", "-n", "shop", "list"]) == ["__complete", "-n", "shop", "list"])
        #expect(
            KubectlArguments.connectionFlags(in: [
                "enable", "deploy/a", "-n", "shop", "--kubeconfig", "/k", "--context=prod", "--mode", "x",
                "--insecure-skip-tls-verify", "-v", "6",
            ])
                == ["--kubeconfig", "/k", "--context=prod", "--insecure-skip-tls-verify"])
        #expect(
            Hints.redacted(["list", "--token", "s3cret", "--token=s3cret", "--context", "x"])
                == ["list", "--token", "<redacted>", "--token=<redacted>", "--context", "x"])
        #expect(Hints.shellQuoted("app in (a,b)") == "'app in (a,b)'" && Hints.shellQuoted("deploy/a") == "deploy/a")
    }

    @Test func targetsAreReadAsKubectlReadsThem() throws {
        #expect(
            try TargetSet.parse(["deploy/a", "sts/b"], selector: nil)
                == .refs([ResourceRef(kind: .deployment, name: "a"), ResourceRef(kind: .statefulSet, name: "b")]))
        #expect(
            try TargetSet.parse(["deploy", "a", "b"], selector: nil)
                == .refs([ResourceRef(kind: .deployment, name: "a"), ResourceRef(kind: .deployment, name: "b")]))
        #expect(
            try TargetSet.parse(["deploy,sts"], selector: "app=x")
                == .selector(kinds: [.deployment, .statefulSet], selector: "app=x"))
        #expect(throws: ResourceRef.ParseError.self) { try TargetSet.parse(["deploy", "a"], selector: "app=x") }
        #expect(throws: ResourceRef.ParseError.self) { try TargetSet.parse(["deploy/a", "b"], selector: nil) }
        #expect(throws: ResourceRef.ParseError.self) { try TargetSet.parse([], selector: "app=x") }
    }

    /// Templates over a real multi-document manifest (microservices-demo), as a v1 List.
    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures")) func jsonPathOverRealManifests() throws {
        let text = try Paths.text(
            Paths.publicFixtures.appendingPathComponent("manifests/microservices-demo.kubernetes-manifests.yaml"))
        let list = listDocument(try YAMLBridge.documents(text).filter { $0 != .null })
        let items = list["items"]?.arrayValue ?? []
        let deployments = items.filter { $0["kind"] == "Deployment" }.compactMap {
            $0[path: "metadata", "name"]?.stringValue
        }
        try #require(deployments.count > 3)
        func render(_ t: String) throws -> String { try JSONPathTemplate(t).render(list) }
        #expect(
            try render(#"{range .items[?(@.kind=="Deployment")]}{.metadata.name}{"\n"}{end}"#)
                == deployments.map { $0 + "\n" }.joined())
        #expect(try render(#"{.items[?(@.kind=="Deployment")].metadata.name}"#) == deployments.joined(separator: " "))
        #expect(
            try render("{.items[0].kind}/{.items[0].metadata.name}")
                == "\(items[0]["kind"]!.stringValue!)/\(items[0][path: "metadata", "name"]!.stringValue!)")
        #expect(try render("{.items[-1:].metadata.name}") == items.last?[path: "metadata", "name"]?.stringValue)
        #expect(
            try render("{.items[0:2].kind}")
                == items.prefix(2).compactMap { $0["kind"]?.stringValue }.joined(separator: " "))
        #expect(try render("{$.kind} {.metadata['resourceVersion']}x") == "List x")
        #expect(try render("{.items[0].metadata}").hasPrefix("{"))
        #expect(try render("{.nothing.here}") == "")
        let images = try render("{..image}").split(separator: " ")
        let firstImage = items.first { $0["kind"] == "Deployment" }?[path: "spec", "template", "spec", "containers"]?
            .arrayValue?.first?["image"]?.stringValue
        #expect(images.count >= deployments.count && images.contains { String($0) == firstImage })
        #expect(throws: JSONPathTemplate.ParseError.self) { try JSONPathTemplate("{range .items[*]}{.a}") }
        #expect(throws: JSONPathTemplate.ParseError.self) { try JSONPathTemplate("{.items[x]}") }
        #expect(throws: JSONPathTemplate.ParseError.self) { try JSONPathTemplate("{.a") }
    }
}
