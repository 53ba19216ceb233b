import Foundation
import KubeAPIMachinery
import SingletonCLI
import SingletonCore
import Testing

@Suite struct LeaseTests {
    static let leases = Paths.publicFixtures.appendingPathComponent("leases")

    func object(_ name: String) throws -> JSONValue {
        try #require(try YAMLBridge.documents(try Paths.text(Self.leases.appendingPathComponent(name))).first)
    }

    @Test func parsesKubeTimestamps() throws {
        let micro = try #require(KubeTime.parse("2024-06-11T04:19:37.976706Z"))
        let plain = try #require(KubeTime.parse("2024-06-11T04:19:37Z"))
        #expect(abs(micro.timeIntervalSince(plain) - 0.976706) < 0.000_01)
        // Camel's local-zone stamps: +02 means two hours ahead of UTC.
        #expect(KubeTime.parse("2021-09-23T12:15:30+02") == KubeTime.parse("2021-09-23T10:15:30Z"))
        #expect(KubeTime.parse("2021-09-23T12:15:30+02:00") == KubeTime.parse("2021-09-23T10:15:30Z"))
        for bad in [
            "", "2021-09-23", "2021-13-23T10:15:30Z", "2021-09-23T10:15:30", "2021-09-23T10:15:30Zjunk", "r...",
        ] {
            #expect(KubeTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures (absent: skipped)"))
    func controllerRuntimeLeaseResolvesToItsDeployment() throws {
        let record = LeaderRecords.fromLease(try object("lease.koordinator-manager.koordinator-issue-2095.yaml"))
        #expect(record.holder == "koord-manager-74866c758d-h68kc_835791dc-866c-475b-89ad-cc48862d79b2")
        #expect(record.durationSeconds == 15 && record.transitions == 2 && record.problem == nil)
        let pod = PodSummary(
            name: "koord-manager-74866c758d-h68kc", namespace: "koordinator-system",
            labels: ["pod-template-hash": "74866c758d"], ownerKind: "ReplicaSet", ownerName: "koord-manager-74866c758d")
        let renew = try #require(record.renewTime)
        let fresh = LeaseView(record: record, pods: [pod], now: renew.addingTimeInterval(3))
        #expect(fresh.pod == pod)
        #expect(fresh.pod?.workload == "deployment.apps/koord-manager")
        #expect(fresh.renewedText == "3s ago")
        #expect(fresh.expiredText == "no")
        let stale = LeaseView(record: record, pods: [pod], now: renew.addingTimeInterval(40))
        #expect(stale.expiredText == "yes (est.)")
        // Same name in another namespace is not the holder.
        let elsewhere = PodSummary(name: pod.name, namespace: "other")
        #expect(LeaseView(record: record, pods: [elsewhere], now: renew).pod == nil)
    }

    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures (absent: skipped)"))
    func apiServerIdentityLeaseIsHiddenByDefault() throws {
        let record = LeaderRecords.fromLease(try object("lease.kube-apiserver-identity.k8s-docs.yaml"))
        #expect(record.isSystemHeartbeat)
        #expect(record.acquireTime == nil && record.transitions == nil && record.durationSeconds == 3600)
        let node = LeaderRecord(source: .lease, namespace: "kube-node-lease", objectName: "node-1", holder: "node-1")
        #expect(node.isSystemHeartbeat)
    }

    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures (absent: skipped)"))
    func legacyEndpointsLock() throws {
        let records = LeaderRecords.fromLockObject(
            try object("endpoints.kube-scheduler.legacy-leader.zouhuigang-book-14.yaml"))
        #expect(records.count == 1)
        let r = try #require(records.first)
        #expect(r.displayName == "endpoints/kube-scheduler")
        #expect(r.holder == "master3.txg.com" && r.durationSeconds == 15 && r.transitions == 0)
        #expect(r.renewTime == KubeTime.parse("2017-05-09T03:14:27Z"))
        #expect(r.problem == nil)
    }

    /// The four raw values, including the markdown-damaged key and the truncated value.
    @Test(.enabled(if: Paths.hasShared, "needs ../shared/fixtures (absent: skipped)"))
    func legacyAnnotationValuesIncludingDamagedOnes() throws {
        let lines = try Paths.text(Self.leases.appendingPathComponent("leader-annotation-values.jsonl")).split(
            separator: "\n")
        let values = try lines.map { try #require(JSONValue.parse(Data($0.utf8))["value"]?.stringValue) }
        #expect(values.count == 4)
        let records = values.map {
            LeaderRecords.fromLegacyAnnotation($0, kind: "ConfigMap", namespace: "kube-system", name: "x")
        }
        #expect(records[0].holder == "controller-0" && records[0].transitions == 1 && records[0].problem == nil)
        #expect(records[1].holder == "master2.txg.com")
        #expect(records[2].holder == "kube-4_7a53b8ee-b00b-4a82-acd2-777cfc725f43")
        #expect(records[2].renewTime == nil)
        #expect(records[2].problem?.contains("no renewTime") == true)
        #expect(LeaseView(record: records[2], pods: [], now: Date()).expiredText == "unknown")
        #expect(records[3].holder == nil)
        #expect(records[3].problem?.contains("not JSON") == true)
        // The host_uuid holder resolves to a pod named like the host.
        let pod = PodSummary(name: "kube-4", namespace: "kube-system")
        #expect(LeaseView.resolve(holder: records[2].holder, namespace: "kube-system", pods: [pod]) == pod)
    }

    @Test func camelConfigMapLock() throws {
        let cm: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "leaders", "namespace": "camel", "labels": ["provider": "camel", "kind": "locks"]],
            "data": [
                "leader.pod.orders": "orders-7d9f-abc12", "leader.local.timestamp.orders": "2021-09-23T12:15:30+02",
                "leader.pod.billing": "billing-0", "leader.local.timestamp.billing": "yesterday",
            ],
        ]
        let records = LeaderRecords.fromLockObject(cm)
        #expect(records.map(\.displayName) == ["configmap/leaders[billing]", "configmap/leaders[orders]"])
        #expect(records[1].renewTime == KubeTime.parse("2021-09-23T10:15:30Z"))
        #expect(records[0].problem == "unreadable timestamp \"yesterday\"")
        // Camel uses the bare pod name: exact match, and no duration means expiry is unknown.
        let pod = PodSummary(name: "orders-7d9f-abc12", namespace: "camel")
        let view = LeaseView(record: records[1], pods: [pod], now: Date())
        #expect(view.pod == pod)
        #expect(view.expiredText == "unknown")
    }

    @Test func releasedLease() {
        let lease: JSONValue = [
            "kind": "Lease", "metadata": ["name": "x", "namespace": "a"],
            "spec": ["holderIdentity": nil, "leaseDurationSeconds": nil, "renewTime": nil],
        ]
        let record = LeaderRecords.fromLease(lease)
        #expect(record.isReleased && record.problem == nil)
        #expect(LeaseView(record: record, pods: [], now: Date()).expiredText == "released")
    }
}
