import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

@Suite struct ResourceRefTests {
    @Test(arguments: [
        (["deploy/web"], WorkloadKind.deployment), (["deployments.apps/web"], .deployment),
        (["Deployment", "web"], .deployment),
        (["sts/web"], .statefulSet), (["statefulset.apps/web"], .statefulSet), (["rs/web"], .replicaSet),
        (["rc/web"], .replicationController),
        (["replicationcontrollers/web"], .replicationController),
    ])
    func kubectlSpellings(args: [String], kind: WorkloadKind) throws {
        #expect(try ResourceRef.parse(args) == ResourceRef(kind: .workload(kind), name: "web"))
    }

    @Test(arguments: [
        (["cj/report"], ResourceKind.cronJob), (["cronjob/report"], .cronJob), (["cronjobs.batch/report"], .cronJob),
        (["CronJob", "report"], .cronJob), (["cronjobs.v1.batch/report"], .cronJob),
        (["job/report"], .job), (["jobs/report"], .job), (["jobs.batch/report"], .job),
    ])
    func batchSpellings(args: [String], kind: ResourceKind) throws {
        #expect(try ResourceRef.parse(args) == ResourceRef(kind: kind, name: "report"))
        #expect(ResourceRef(kind: kind, name: "x").description == "\(kind.singular).batch/x")
    }

    @Test func refusals() {
        #expect(throws: ResourceRef.ParseError.unknownKind("pod")) { try ResourceRef.parse(["pod/web"]) }
        #expect(throws: ResourceRef.ParseError.missingName("deploy")) { try ResourceRef.parse(["deploy"]) }
        #expect(throws: ResourceRef.ParseError.missingName("deploy/")) { try ResourceRef.parse(["deploy/"]) }
        #expect(throws: ResourceRef.ParseError.invalidName("Web_1")) { try ResourceRef.parse(["deploy/Web_1"]) }
        #expect(ResourceRef(kind: .deployment, name: "web").description == "deployment.apps/web")
    }
}

@Suite struct TableTests {
    @Test func alignsLikeKubectlGet() {
        let table = Table(
            headers: ["NAME", "MODE", "VIOLATIONS"],
            rows: [["deployment.apps/web", "at-most-one", ""], ["sts/db", "at-least-one", "replicas 3"]])
        #expect(
            table.render() == """
                NAME                  MODE           VIOLATIONS
                deployment.apps/web   at-most-one
                sts/db                at-least-one   replicas 3

                """)
        #expect(Table(headers: ["A"]).render() == "")
    }

    @Test func durationsLikeKubectl() {
        #expect(humanDuration(seconds: 3) == "3s")
        #expect(humanDuration(seconds: 333) == "5m33s")
        #expect(humanDuration(seconds: 3600 * 3 + 240) == "3h4m")
        #expect(humanDuration(seconds: 86400 * 3 + 3600 * 17) == "3d17h")
        #expect(humanDuration(seconds: 86400 * 400) == "400d")
    }
}

@Suite struct YAMLBridgeTests {
    @Test func roundTripsTypesAndQuotesAmbiguousStrings() throws {
        let value: JSONValue = [
            "a": "1", "b": 1, "c": "true", "d": true, "e": nil, "f": ["x", .double(2.5)], "g": "", "h": "yes",
        ]
        let yaml = YAMLBridge.emit(value)
        #expect(try YAMLBridge.documents(yaml) == [value])
        #expect(yaml.hasPrefix("a: '1'\nb: 1\n"), "\(yaml)")
    }

    @Test func multiDocumentAndErrors() throws {
        #expect(try YAMLBridge.documents("a: 1\n---\n---\nb: 2\n").count == 3)
        #expect(throws: YAMLBridge.ParseError.self) { try YAMLBridge.documents("a: [1\n") }
    }
}

@Suite struct EnablePlanTests {
    func workload(_ json: JSONValue) throws -> Workload { try Workload.decode(json.serialized()) }

    @Test func patchHoldsExactlyTheChangedFields() throws {
        let w = try workload([
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "annotations": ["team": "a"]],
            "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web"]]],
        ])
        let plan = EnablePlan.make(w, mode: .atMostOne, lease: "web-leader")
        #expect(
            plan.patch == [
                "metadata": [
                    "annotations": ["kube-singleton.dev/mode": "at-most-one", "kube-singleton.dev/lease": "web-leader"]
                ],
                "spec": ["replicas": 1, "strategy": ["type": "Recreate", "rollingUpdate": nil]],
            ])
        #expect(plan.changes.contains("lowered replicas from 3 to 1"))
        #expect(plan.warnings.first?.contains("StatefulSet") == true)
    }

    @Test func secondRunChangesNothing() throws {
        let w = try workload([
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "annotations": ["kube-singleton.dev/mode": "at-most-one"]],
            "spec": ["replicas": 1, "strategy": ["type": "Recreate"]],
        ])
        #expect(EnablePlan.make(w, mode: .atMostOne, lease: nil).patch == nil)
        let sts = try workload([
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"], "spec": [:],
        ])
        let plan = EnablePlan.make(sts, mode: .atLeastOne, lease: nil)
        #expect(plan.patch == ["metadata": ["annotations": ["kube-singleton.dev/mode": "at-least-one"]]])
        #expect(plan.warnings.isEmpty)
    }

    @Test func disableRemovesOnlyPresentAnnotations() throws {
        let w = try workload([
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "annotations": ["kube-singleton.dev/mode": "at-most-one", "keep": "me"]],
            "spec": [:],
        ])
        #expect(EnablePlan.disable(w).patch == ["metadata": ["annotations": ["kube-singleton.dev/mode": nil]]])
    }
}

@Suite struct CompanionTests {
    static let sts: JSONValue = [
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": ["name": "db", "namespace": "data", "uid": "u-1"],
        "spec": [
            "serviceName": "db-hs", "selector": ["matchLabels": ["app": "db"]],
            "template": [
                "metadata": ["labels": ["app": "db"]],
                "spec": [
                    "containers": [
                        ["name": "pg", "ports": [["containerPort": 5432, "name": "pg"], ["containerPort": 9187]]]
                    ]
                ],
            ],
        ],
    ]

    @Test func pdbForOneReplica() throws {
        let pdb = try Companions.pdb(for: try Workload.decode(Self.sts.serialized()))
        #expect(pdb[path: "metadata", "name"] == "db-singleton")
        #expect(pdb["apiVersion"] == "policy/v1")
        #expect(
            pdb["spec"] == [
                "selector": ["matchLabels": ["app": "db"]], "maxUnavailable": 0,
                "unhealthyPodEvictionPolicy": "AlwaysAllow",
            ])
        #expect(Companions.isOurs(pdb, ownerUID: "u-1"))
        #expect(!Companions.isOurs(pdb, ownerUID: "u-2"))
    }

    @Test func headlessServiceNamedByServiceName() throws {
        let svc = try Companions.service(for: try Workload.decode(Self.sts.serialized()))
        #expect(svc[path: "metadata", "name"] == "db-hs")
        #expect(svc[path: "spec", "clusterIP"] == "None")
        #expect(svc[path: "spec", "selector"] == ["app": "db"])
        #expect(
            svc[path: "spec", "ports"] == [
                ["name": "pg", "port": 5432, "targetPort": 5432, "protocol": "TCP"],
                ["name": "tcp-9187", "port": 9187, "targetPort": 9187, "protocol": "TCP"],
            ])
        #expect(
            svc[path: "metadata", "ownerReferences"] == [
                ["apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "u-1"]
            ])
        #expect(svc[path: "metadata", "labels", "app.kubernetes.io/managed-by"] == "kubectl-singleton")
    }

    @Test func refusesMatchExpressions() throws {
        let json = Self.sts.applyingMergePatch([
            "spec": ["selector": ["matchExpressions": [["key": "tier", "operator": "In", "values": ["db"]]]]]
        ])
        let w = try Workload.decode(json.serialized())
        #expect(throws: Companions.Refusal.self) { try Companions.service(for: w) }
        do {
            _ = try Companions.service(for: w)
        } catch {
            #expect(error.description.contains("equality only"))
        }
        // A PDB can carry matchExpressions.
        #expect(try Companions.pdb(for: w)[path: "spec", "selector", "matchExpressions"] != nil)
    }

    @Test func objectsWithoutOurLabelOrOwnerAreNotOurs() {
        let foreign: JSONValue = ["metadata": ["name": "db-singleton", "ownerReferences": [["uid": "u-1"]]]]
        #expect(!Companions.isOurs(foreign, ownerUID: "u-1"))
        let labelOnly: JSONValue = ["metadata": ["labels": ["app.kubernetes.io/managed-by": "kubectl-singleton"]]]
        #expect(!Companions.isOurs(labelOnly, ownerUID: "u-1"))
    }
}

@Suite struct CompletionTests {
    func need(_ words: [String]) -> CompletionNeed { Completer.need(words) }

    @Test func subcommandsFlagsAndValues() {
        #expect(need([""]) == .fixed(CompletionResult(candidates: Completer.subcommands, directive: 4)))
        #expect(need(["l"]) == .fixed(CompletionResult(candidates: ["list", "leases", "lint"], directive: 4)))
        #expect(
            need(["enable", "deploy/web", "--m"]) == .fixed(CompletionResult(candidates: ["--mode"], directive: 4)))
        #expect(
            need(["enable", "deploy/web", "--mode", ""])
                == .fixed(CompletionResult(candidates: ["at-most-one", "at-least-one"], directive: 4)))
        #expect(need(["list", "-o", "w"]) == .fixed(CompletionResult(candidates: ["wide"], directive: 4)))
        #expect(need(["lint", "-f", ""]) == .fixed(CompletionResult(candidates: [], directive: 0)))
        #expect(
            need(["enable", "st"]) == .fixed(CompletionResult(candidates: ["statefulset/", "sts/"], directive: 6)))
        #expect(
            need(["status", "-n", "prod", "deploy/w"]) == .objects(kind: .deployment, typedKind: "deploy", prefix: "w"))
        #expect(need(["status", "-n", ""]) == .namespaces(prefix: ""))
        // Several targets: after one KIND/NAME, another.
        #expect(
            need(["enable", "deploy/web", "s"])
                == .fixed(CompletionResult(candidates: ["statefulset/", "sts/"], directive: 6)))
        #expect(need(["enable", "deploy", "web", ""]) == .objects(kind: .deployment, typedKind: nil, prefix: ""))
        #expect(CompletionResult(candidates: ["a", "b"], directive: 4).rendered == "a\nb\n:4\n")
    }

    @Test func connectionFlagsAreReadFromTheWords() {
        let options = Completer.connectionOptions(["status", "--context", "prod", "-n", "data", "deploy/"])
        #expect(options.context == "prod" && options.namespace == "data")
        let equals = Completer.connectionOptions(["status", "--namespace=data", "--context=prod", ""])
        #expect(equals.context == "prod" && equals.namespace == "data")
    }
}

@Suite struct PrettyJSONTests {
    @Test func emptyCollectionsStayOnOneLine() throws {
        let value: JSONValue = ["a": [], "b": [:], "c": ["x": [1]]]
        let text = prettyJSON(value)
        #expect(text == "{\n  \"a\" : [],\n  \"b\" : {},\n  \"c\" : {\n    \"x\" : [\n      1\n    ]\n  }\n}\n")
        #expect(try JSONValue.parse(Data(text.utf8)) == value)
    }
}

@Suite struct KubeOptionsTests {
    @Test func requestTimeoutsLikeKubectl() throws {
        #expect(KubeOptions.parseDuration("0") == 0)
        #expect(KubeOptions.parseDuration("30") == 30)
        #expect(KubeOptions.parseDuration("30s") == 30)
        #expect(KubeOptions.parseDuration("1m30s") == 90)
        #expect(KubeOptions.parseDuration("2h") == 7200)
        #expect(KubeOptions.parseDuration("soon") == nil)
        #expect(KubeOptions.parseDuration("5x") == nil)
        #expect(throws: (any Error).self) { try KubeOptions.parse(["--request-timeout", "soon"]) }
        let parsed = try KubeOptions.parse(["-n", "data", "--context", "prod", "--request-timeout", "10s"])
        #expect(parsed.namespace == "data" && parsed.context == "prod" && parsed.requestTimeoutSeconds == 10)
    }
}

@Suite struct MergePatchDiffTests {
    @Test func sendsOnlyWhatDiffersAndNeverDeletes() {
        let existing: JSONValue = [
            "metadata": ["name": "x", "labels": ["a": "1", "keep": "me"]],
            "spec": ["replicas": 2, "ports": [["port": 80]], "extra": true],
        ]
        let desired: JSONValue = [
            "metadata": ["name": "x", "labels": ["a": "2"]], "spec": ["replicas": 2, "ports": [["port": 81]]],
        ]
        #expect(
            mergePatchDiff(existing: existing, desired: desired) == [
                "metadata": ["labels": ["a": "2"]], "spec": ["ports": [["port": 81]]],
            ])
        #expect(mergePatchDiff(existing: existing, desired: ["spec": ["extra": true]]) == nil)
        let patched = existing.applyingMergePatch(mergePatchDiff(existing: existing, desired: desired) ?? nil)
        #expect(patched[path: "metadata", "labels", "keep"] == "me")
        #expect(mergePatchDiff(existing: patched, desired: desired) == nil)
    }

    @Test func serverDefaultsInArraysAreNotDifferences() {
        let existing: JSONValue = [
            "spec": [
                "containers": [
                    [
                        "name": "web", "image": "a", "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log",
                    ]
                ]
            ]
        ]
        #expect(
            mergePatchDiff(existing: existing, desired: ["spec": ["containers": [["name": "web", "image": "a"]]]])
                == nil)
        #expect(
            mergePatchDiff(existing: existing, desired: ["spec": ["containers": [["name": "web", "image": "b"]]]])
                == ["spec": ["containers": [["name": "web", "image": "b"]]]])
        #expect(
            mergePatchDiff(
                existing: existing, desired: ["spec": ["containers": [["name": "web"], ["name": "sidecar"]]]]) != nil)
    }
}
