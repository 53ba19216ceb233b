import Foundation
import KubeAPIMachinery
import KubeClient
import LeaderElection

/// One Lease on the API server: read, create, compare-and-swap update.
struct LeaseStore: Sendable {
    let client: KubeClient
    let namespace: String
    let name: String

    var collectionPath: String { "/apis/coordination.k8s.io/v1/namespaces/\(namespace)/leases" }
    var objectPath: String { "\(collectionPath)/\(name)" }

    /// The Lease object, or nil when it does not exist.
    func get() async throws -> JSONValue? {
        do {
            return try JSONValue.parse(try await client.get(objectPath))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    func create(_ record: LeaseRecord) async throws -> JSONValue {
        let body = record.newLease(name: name, namespace: namespace).serialized()
        return try JSONValue.parse(try await client.create(collectionPath, body: body, fieldManager: "singleton-run"))
    }

    /// PUT of `object` (as read, with its resourceVersion) carrying `record`: 409 when someone
    /// wrote in between.
    func update(_ object: JSONValue, to record: LeaseRecord) async throws -> JSONValue {
        let body = record.applied(to: object).serialized()
        return try JSONValue.parse(try await client.update(objectPath, body: body, fieldManager: "singleton-run"))
    }
}
