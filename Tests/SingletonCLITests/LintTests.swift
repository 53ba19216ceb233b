import Foundation
import KubeAPIMachinery
import SingletonCLI
import SingletonCore
import Testing

@Suite struct LintTests {
    func lint(_ inputs: [String], stdin: Data = Data()) -> LintReport {
        let set = ManifestReader(readStandardInput: { stdin }).read(inputs)
        return LintReport(set: set, findings: Linter().lint(set.objects))
    }

    @Test func cleanExamplesPass() {
        let report = lint([Paths.examples.appendingPathComponent("clean").path])
        #expect(report.unreadable.isEmpty)
        #expect(report.errorCount == 0, "\(report.findings)")
        #expect(report.files == 3)
        // The at-least-one Deployment gets no caveat; no companion is missing.
        #expect(report.findings.filter { $0.rule.hasPrefix("missing") }.isEmpty, "\(report.findings)")
        #expect(report.exitCode == 0)
    }

    @Test func violatingExampleReportsEachBreakWithFileAndDocument() {
        let file = Paths.examples.appendingPathComponent("violating.yaml").path
        let report = lint([file])
        let errors = report.findings.filter { $0.severity == .error }
        #expect(errors.map(\.rule) == ["replicas", "surge", "unknown-mode", "hpa"])
        #expect(errors.map(\.document) == [1, 2, 3, 5])
        #expect(errors.allSatisfy { $0.file == file })
        #expect(errors[0].message.contains("billing-worker") && errors[0].message.contains("3"))
        #expect(errors[2].message.contains("only-one") && errors[2].message.contains("at-most-one, at-least-one"))
        #expect(errors[3].kind == "HorizontalPodAutoscaler" && errors[3].message.contains("maxReplicas 5"))
        #expect(report.exitCode == 1)
    }

    @Test func mixedDirectoryFlattensListsAndCountsEmptyDocuments() {
        let dir = Paths.examples.appendingPathComponent("mixed").path
        let report = lint([dir])
        #expect(report.files == 3)
        let errors = report.findings.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.name == "indexer")
        #expect(errors.first?.item == 2, "List items count from 1, like documents")
        #expect(errors.first?.file.hasSuffix("mixed/list.yaml") == true)
        // The migrator sits after an empty document: it is document 3 of its file.
        let migrator = report.findings.first { $0.name == "migrator" }
        #expect(migrator?.document == 3)
        #expect(migrator?.rule == "missing-pdb")
        #expect(report.exitCode == 1)
    }

    @Test func malformedInputExitsTwoAndStillLintsTheRest() throws {
        let report = lint([
            Paths.examples.appendingPathComponent("malformed.yaml").path,
            Paths.examples.appendingPathComponent("violating.yaml").path, "/nonexistent/x.yaml",
        ])
        try #require(report.unreadable.count == 2)
        #expect(report.unreadable[0].message.hasPrefix("not valid YAML"))
        #expect(report.unreadable[1].message == "no such file or directory")
        #expect(report.errorCount == 4)
        #expect(report.exitCode == 2)
    }

    @Test func readsStandardInput() {
        let yaml = """
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: legacy, annotations: {kube-singleton.dev/mode: at-least-one}}
            spec:
              replicas: 2
              template: {metadata: {labels: {app: legacy}}}
            """
        let report = lint(["-"], stdin: Data(yaml.utf8))
        #expect(report.findings.first?.file == "stdin")
        #expect(report.findings.first?.rule == "replicas")
        #expect(report.exitCode == 1)
    }

    @Test func textAndJSONRendering() throws {
        let report = lint([Paths.examples.appendingPathComponent("violating.yaml").path])
        let text = report.renderText()
        #expect(text.out.contains("violating.yaml document 1: error [replicas] "))
        #expect(text.out.hasSuffix("4 errors, 3 warnings in 1 file (5 documents)\n"), "\(text.out)")
        let json = try JSONValue.parse(Data(report.renderJSON().utf8))
        #expect(json[path: "summary", "exitCode"] == 1)
        #expect(json["findings"]?.arrayValue?.first?["document"] == 1)
    }

    /// The real public manifests carry no singleton annotation: lint must read every one
    /// of them (flow style, license headers, 1 MB bundles) and find nothing to deny.
    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures (absent: skipped)"))
    func publicManifestsParseAndAreClean() throws {
        let dir = Paths.publicFixtures.appendingPathComponent("manifests").path
        let report = lint([dir])
        #expect(report.unreadable.isEmpty, "\(report.unreadable)")
        #expect(report.files == 11)
        #expect(report.errorCount == 0)
        let set = ManifestReader(readStandardInput: { Data() }).read([dir])
        // Counts from SOURCES.md (PyYAML's safe_load_all).
        let perFile = Dictionary(grouping: set.objects, by: { URL(fileURLWithPath: $0.file).lastPathComponent })
            .mapValues(\.count)
        #expect(perFile["microservices-demo.kubernetes-manifests.yaml"] == 35)
        #expect(perFile["knative.kourier.yaml"] == 13)
        #expect(perFile["k8s-website.hpa-php-apache.kyaml.yaml"] == 1)
        #expect(perFile["knative-thirdparty.cert-manager.yaml"] == 51)
    }

    /// The same real manifests, marked as singletons: the php-apache HPA (flow-style YAML)
    /// and the zookeeper StatefulSet's 3 replicas must be caught.
    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures (absent: skipped)"))
    func publicManifestsMarkedAsSingletons() throws {
        let dir = Paths.publicFixtures.appendingPathComponent("manifests")
        var set = ManifestSet()
        for name in [
            "k8s-website.php-apache.yaml", "k8s-website.hpa-php-apache.kyaml.yaml", "k8s-website.zookeeper.yaml",
        ] {
            ManifestParser.parse(try Paths.text(dir.appendingPathComponent(name)), file: name, into: &set)
        }
        for i in set.objects.indices where ["Deployment", "StatefulSet"].contains(set.objects[i].kind) {
            set.objects[i].object = set.objects[i].object.applyingMergePatch([
                "metadata": ["annotations": ["kube-singleton.dev/mode": "at-least-one"]]
            ])
        }
        let findings = Linter().lint(set.objects).filter { (f: LintFinding) in f.severity == .error }
        #expect(findings.map(\.rule).sorted() == ["hpa", "replicas"])
        #expect(findings.first { $0.rule == "hpa" }?.file == "k8s-website.hpa-php-apache.kyaml.yaml")
        #expect(findings.first { $0.rule == "replicas" }?.name == "zk")
    }
}
