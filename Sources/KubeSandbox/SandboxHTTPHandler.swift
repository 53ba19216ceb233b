import Foundation
import HTTPSServerKit
import KubeAPIMachinery
import NIOCore
import NIOHTTP1

/// Bridges HTTPSServerKit to `SandboxAPI`: authentication (verified client certificate:
/// CN = user, O = groups, as Kubernetes maps them; or a known bearer token; otherwise the
/// request stays anonymous and gets 401) and conversion of requests and responses.
struct SandboxHTTPHandler: HTTPSHandler {
    let api: SandboxAPI
    let tokens: [String: UserInfo]

    func authenticate(_ request: ServerRequest) -> UserInfo? {
        if let peer = request.peer, let cn = peer.commonName, !cn.isEmpty {
            return UserInfo(username: cn, groups: peer.organizations + ["system:authenticated"])
        }
        if let auth = request.headers.first(name: "authorization"), auth.lowercased().hasPrefix("bearer ") {
            let token = auth.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
            return tokens[token]
        }
        return nil
    }

    func handle(_ request: ServerRequest) async -> ServerResponse {
        var query: [String: String] = [:]
        for item in request.queryItems where query[item.name] == nil { query[item.name] = item.value ?? "" }
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.lowercased()] = value }
        let apiRequest = APIRequest(
            method: request.method.rawValue, path: request.path, query: query, headers: headers,
            body: request.bodyData, user: authenticate(request))
        let response = await api.handle(apiRequest)
        var out = HTTPHeaders()
        for (name, value) in response.headers { out.add(name: name, value: value) }
        let status = HTTPResponseStatus(statusCode: response.status)
        switch response.body {
        case .data(let data):
            return ServerResponse(status: status, headers: out, body: .bytes(ByteBuffer(bytes: data)))
        case .stream(let stream):
            return ServerResponse(
                status: status, headers: out,
                body: .stream { writer in
                    for await chunk in stream { try await writer.write(chunk) }
                })
        }
    }
}
