import HTTPSServerKit
import Testing

/// `ServerRequest.path` and `query`: the request target split at its first `?`.
struct RequestTargetTests {
    @Test(
        arguments: [
            ("/validate", "/validate", nil),
            ("/validate?timeout=10s", "/validate", "timeout=10s"),
            ("/validate?", "/validate", ""),
            ("/a?b?c", "/a", "b?c"),
            ("/é?q=ü", "/é", "q=ü"),
            ("", "", nil),
        ] as [(String, String, String?)])
    func pathAndQuery(_ uri: String, _ path: String, _ query: String?) {
        let request = ServerRequest(method: .POST, uri: uri)
        #expect(request.path == path)
        #expect(request.query == query)
    }
}
