import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeClient
@testable import KubeCurl

/// Bearer tokens, token files, basic auth, exec plugins and impersonation, end to end through
/// kubeconfig files and a real TLS server.
@Suite struct AuthTests {
    let pki: TestPKI
    let dir: TempDir
    init() throws {
        pki = try TestPKI.get()
        dir = try TempDir()
    }

    /// A kubeconfig for `server` with the given YAML user body (indented under `user:`).
    func kubeconfig(_ server: TestServer, user: String) throws -> String {
        try dir.write(
            "config",
            """
            current-context: test
            clusters:
            - name: local
              cluster:
                server: \(server.url)
                certificate-authority-data: \(pki.ca.certificatePEM.base64)
            contexts:
            - name: test
              context: {cluster: local, user: tester, namespace: ns1}
            users:
            - name: tester
              user:
            \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """)
    }

    func load(_ file: String, _ options: KubeConfigOptions = KubeConfigOptions()) throws -> KubeClient {
        var options = options
        options.kubeconfig = file
        let environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        return KubeClient(
            config: try ClientConfig.load(options, environment: environment, keyPairCheck: .openSSL),
            transport: HTTPTransport(), environment: environment)
    }

    /// Accepts only the listed bearer tokens; 401 with a Status otherwise.
    static func requireToken(_ accepted: Set<String>) -> TestServer.Handler {
        { request in
            let header = request.header("Authorization") ?? ""
            if header.hasPrefix("Bearer "), accepted.contains(String(header.dropFirst(7))) {
                return .json(#"{"kind":"Namespace"}"#)
            }
            return .json(
                #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#,
                status: 401)
        }
    }

    @Test func bearerTokenAndImpersonation() async throws {
        try await withServer(tls: pki.serverTLS, handler: Self.requireToken(["s3cret"])) { server in
            let file = try kubeconfig(server, user: "token: s3cret")
            let kube = try load(file, KubeConfigOptions(impersonateUser: "jane", impersonateGroups: ["ops", "devs"]))
            #expect(kube.config.namespace == "ns1")
            _ = try await kube.get("/api/v1/namespaces/ns1")
            let request = try #require(server.requests.first)
            #expect(request.header("Authorization") == "Bearer s3cret")
            #expect(request.header("Impersonate-User") == "jane")
            #expect(request.headerValues("Impersonate-Group") == ["ops", "devs"])
            #expect(request.header("Accept") == "application/json")
        }
    }

    @Test func wrongTokenGivesKubectlsUnauthorizedMessage() async throws {
        try await withServer(tls: pki.serverTLS, handler: Self.requireToken(["s3cret"])) { server in
            let kube = try load(try kubeconfig(server, user: "token: wrong"))
            let error = await #expect(throws: KubeAPIError.self) { _ = try await kube.get("/api") }
            #expect(error?.isUnauthorized == true)
            #expect(error?.description == "error: You must be logged in to the server (Unauthorized): Unauthorized")
            #expect(server.requests.count == 1)  // a static token cannot be refreshed: no retry
        }
    }

    @Test func tokenFileIsReadAndReReadAfterRotation() async throws {
        let tokenPath = try dir.write("token", "first\n")
        try await withServer(tls: pki.serverTLS, handler: Self.requireToken(["first", "second"])) { server in
            let kube = try load(try kubeconfig(server, user: "tokenFile: token"))
            _ = try await kube.get("/api")
            try Data("second".utf8).write(to: URL(fileURLWithPath: tokenPath))
            // Make the rotation visible even on filesystems with coarse timestamps.
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: tokenPath)
            _ = try await kube.get("/api")
            #expect(server.requests.map { $0.header("Authorization") } == ["Bearer first", "Bearer second"])
        }
    }

    @Test func tokenFileRotatedToAnUnknownTokenIsReReadOn401() async throws {
        let tokenPath = try dir.write("token", "old")
        try await withServer(tls: pki.serverTLS, handler: Self.requireToken(["new"])) { server in
            let kube = try load(try kubeconfig(server, user: "tokenFile: token"))
            // The server already rejects "old"; the client reads "old", gets 401, re-reads the file.
            let modified = try FileManager.default.attributesOfItem(atPath: tokenPath)[.modificationDate] as? Date
            _ = try? await kube.get("/api")
            try Data("new".utf8).write(to: URL(fileURLWithPath: tokenPath))
            if let modified {  // same mtime as before: only the 401 path can notice the change
                try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: tokenPath)
            }
            _ = try await kube.get("/api")
            #expect(server.requests.last?.header("Authorization") == "Bearer new")
        }
    }

    @Test func basicAuth() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json("{}") }) { server in
            _ = try await load(try kubeconfig(server, user: "username: admin\npassword: pa:ss")).get("/api")
            #expect(server.requests.first?.header("Authorization") == "Basic " + "admin:pa:ss".base64)
        }
    }

    /// The exec plugin: counts its runs, records KUBERNETES_EXEC_INFO, prints token "tok-N";
    /// the first credential is already expired, later ones last until 2099.
    func writePlugin() throws -> String {
        try dir.write(
            "bin/exec-plugin",
            #"""
            #!/bin/sh
            dir="$(dirname "$0")"
            n=$(cat "$dir/count" 2>/dev/null || echo 0)
            n=$((n + 1))
            echo "$n" > "$dir/count"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info.json"
            if [ "$n" = 1 ]; then expiry="$FIRST_EXPIRY"; else expiry="2099-01-01T00:00:00Z"; fi
            echo "plugin run $n" >&2
            printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"tok-%s","expirationTimestamp":"%s"}}\n' "$n" "$expiry"
            """#, executable: true)
    }

    func execUser(firstExpiry: String, provideClusterInfo: Bool = false) -> String {
        """
        exec:
          apiVersion: client.authentication.k8s.io/v1
          command: ./bin/exec-plugin
          args: [--region, test]
          env: [{name: FIRST_EXPIRY, value: "\(firstExpiry)"}]
          interactiveMode: Never
          provideClusterInfo: \(provideClusterInfo)
        """
    }

    @Test func execPluginRunsAgainWhenItsCredentialExpires() async throws {
        _ = try writePlugin()
        try await withServer(tls: pki.serverTLS, handler: Self.requireToken(["tok-1", "tok-2", "tok-3"])) { server in
            let kube = try load(
                try kubeconfig(server, user: execUser(firstExpiry: "2000-01-01T00:00:00Z", provideClusterInfo: true)))
            for _ in 0..<3 { _ = try await kube.get("/api") }
            #expect(
                server.requests.map { $0.header("Authorization") } == ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2"])
            #expect(await kube.execPluginRuns == 2)
            let info = try String(contentsOfFile: dir.path + "/bin/exec-info.json", encoding: .utf8)
            #expect(info.contains(#""interactive":false"#))
            #expect(info.contains(#""server":"\#(server.url)""#))
            #expect(info.contains(#""certificate-authority-data":"\#(pki.ca.certificatePEM.base64)""#))
        }
    }

    @Test func execPluginRunsAgainAfter401() async throws {
        _ = try writePlugin()
        // tok-1 is valid until 2099 as far as the client knows, but the server revoked it.
        try await withServer(tls: pki.serverTLS, handler: Self.requireToken(["tok-2"])) { server in
            let kube = try load(try kubeconfig(server, user: execUser(firstExpiry: "2099-01-01T00:00:00Z")))
            _ = try await kube.get("/api")
            #expect(server.requests.map { $0.header("Authorization") } == ["Bearer tok-1", "Bearer tok-2"])
            #expect(await kube.execPluginRuns == 2)
            let info = try String(contentsOfFile: dir.path + "/bin/exec-info.json", encoding: .utf8)
            #expect(!info.contains("cluster"))  // provideClusterInfo: false
        }
    }

    @Test func failingExecPluginNamesCommandUserAndStderr() async throws {
        try dir.write(
            "bin/broken", "#!/bin/sh\necho 'token expired: run aws sso login' >&2\nexit 3\n", executable: true)
        try await withServer(tls: pki.serverTLS, handler: { _ in .json("{}") }) { server in
            let kube = try load(
                try kubeconfig(
                    server,
                    user: """
                        exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/broken}
                        """))
            let error = await #expect(throws: ExecPluginError.self) { _ = try await kube.get("/api") }
            #expect(
                error?.description
                    == "error: exec credential plugin \"\(dir.path)/bin/broken\" for user \"tester\": exited with status 3: token expired: run aws sso login"
            )
            #expect(server.requests.isEmpty)
        }
    }

    @Test func missingExecPluginShowsInstallHint() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json("{}") }) { server in
            let kube = try load(
                try kubeconfig(
                    server,
                    user: """
                        exec: {apiVersion: client.authentication.k8s.io/v1, command: kube-singleton-test-no-such-plugin, interactiveMode: IfAvailable, installHint: "Install it with: gcloud components install gke-gcloud-auth-plugin"}
                        """))
            let error = await #expect(throws: ExecPluginError.self) { _ = try await kube.get("/api") }
            #expect(
                error?.message
                    == "command not found (looked in PATH=/usr/bin:/bin)\nInstall it with: gcloud components install gke-gcloud-auth-plugin"
            )
        }
    }

    @Test func execPluginCanProvideAClientCertificate() async throws {
        let credential = """
            {"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientCertificateData":\(try jsonString(pki.client.certificatePEM)),"clientKeyData":\(try jsonString(pki.client.privateKeyPEM))}}
            """
        try dir.write("bin/credential.json", credential)
        try dir.write("bin/cert-plugin", "#!/bin/sh\ncat \"$(dirname \"$0\")/credential.json\"\n", executable: true)
        try await withServer(tls: pki.mutualTLS, handler: { _ in .json(#"{"ok":true}"#) }) { server in
            let kube = try load(
                try kubeconfig(
                    server,
                    user: """
                        exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/cert-plugin, interactiveMode: Never}
                        """))
            let body = try await kube.get("/api")
            #expect(String(decoding: body, as: UTF8.self) == #"{"ok":true}"#)
            #expect(server.requests.first?.header("Authorization") == nil)
        }
    }

    private func jsonString(_ text: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
            .description
    }
}

extension AuthTests {
    @Test func interactiveModeAlwaysNeedsATerminal() async throws {
        let runner = ExecPluginRunner(environment: ["PATH": "/usr/bin:/bin"], stdinIsTerminal: false)
        let config = ExecConfig(command: "/bin/true", interactiveMode: .always)
        let error = await #expect(throws: ExecPluginError.self) {
            _ = try await runner.run(config, user: "sso", cluster: nil)
        }
        #expect(
            error?.description
                == "error: exec credential plugin \"/bin/true\" for user \"sso\": interactiveMode is Always but standard input is not a terminal"
        )
    }
}

extension AuthTests {
    @Test func watchRefreshesExecCredentialsOn401() async throws {
        _ = try writePlugin()
        try await withServer(
            tls: pki.serverTLS,
            handler: { request in
                guard request.header("Authorization") == "Bearer tok-2" else {
                    return .json(
                        #"{"kind":"Status","code":401,"reason":"Unauthorized","message":"Unauthorized"}"#, status: 401)
                }
                return TestResponse(chunks: [
                    Data(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"3"}}}\#n"#.utf8)
                ])
            }
        ) { server in
            let kube = try load(try kubeconfig(server, user: execUser(firstExpiry: "2099-01-01T00:00:00Z")))
            var versions: [String?] = []
            for try await event in kube.watch("/api/v1/namespaces/ns1/pods") { versions.append(event.resourceVersion) }
            #expect(versions == ["3"])
            #expect(server.requests.map { $0.header("Authorization") } == ["Bearer tok-1", "Bearer tok-2"])
        }
    }
}
