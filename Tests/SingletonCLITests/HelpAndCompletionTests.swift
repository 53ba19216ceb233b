import Foundation
@testable import SingletonCLI
import SingletonCore
import Testing

@Suite struct HelpTests {
    /// Golden: the root help as `kubectl singleton --help` prints it at 100 columns.
    @Test func rootHelpGolden() async {
        let run = await runPlugin(["--help"])
        #expect(run.code == 0)
        #expect(
            run.out == """
                OVERVIEW: Keep singleton workloads at one replica (kube-singleton.dev/mode).

                A workload annotated kube-singleton.dev/mode: at-most-one or at-least-one is a
                singleton: the kube-singleton webhook denies anything that would run it with more
                than one replica. This plugin marks workloads, shows their state and risks, reads
                leader-election leases, lints manifests offline and installs the webhook.

                Examples:
                  kubectl singleton enable deploy/web --mode at-most-one --pdb
                  kubectl singleton list -A
                  kubectl singleton status sts/db -n data
                  kubectl singleton leases -n kube-system
                  kubectl singleton lint -f manifests/
                  kubectl singleton install --self-signed

                Exit codes: 0 success; 1 failure or violations found; 2 unreadable input (lint).

                USAGE: kubectl singleton <subcommand>

                OPTIONS:
                  --version               Show the version.
                  -h, --help              Show help information.

                SUBCOMMANDS:
                  enable                  Mark a workload as a singleton.
                  disable                 Stop treating a workload as a singleton.
                  list                    List singleton workloads and their violations.
                  status                  Show a singleton's state and every risk to it.
                  leases                  Show leader-election locks, their holders and pods.
                  lint                    Check manifests offline for singletons that would be denied.
                  install                 Install the kube-singleton webhook.
                  uninstall               Remove the kube-singleton webhook.
                  doctor                  Check the webhook installation and your permissions.
                  version                 Print the plugin and webhook versions.

                  See 'kubectl singleton help <subcommand>' for detailed help.

                """)
        let bare = await runPlugin([])
        #expect(bare.out == run.out)
    }

    /// Every subcommand documents examples as `kubectl singleton ...`, its exit codes, and
    /// (where it talks to a cluster) kubectl's connection flags.
    @Test(arguments: Completer.subcommands)
    func subcommandHelp(name: String) async {
        let run = await runPlugin([name, "--help"])
        #expect(run.code == 0)
        #expect(run.out.contains("USAGE: kubectl singleton \(name)"))
        #expect(run.out.contains("  kubectl singleton \(name)"))
        if name != "version" { #expect(run.out.contains("Exit codes: 0")) }
        if !["lint", "version"].contains(name) {
            for flag in ["-n, --namespace", "--kubeconfig", "--context", "--cluster", "--user", "--request-timeout"] {
                #expect(run.out.contains(flag), "\(name) lacks \(flag)")
            }
        }
        let viaHelp = await runPlugin(["help", name])
        #expect(viaHelp.out == run.out)
    }

    /// Each command's help lists exactly the -o values it accepts, and it accepts each of them.
    @Test(arguments: [
        ("enable", EnableCommand.outputs), ("list", ListCommand.outputs), ("status", StatusCommand.outputs),
        ("leases", LeasesCommand.outputs), ("lint", LintCommand.outputs), ("install", InstallCommand.outputs),
        ("doctor", DoctorCommand.outputs), ("version", VersionCommand.outputs),
    ])
    func outputHelpListsWhatTheCommandAccepts(name: String, outputs: [String]) async {
        let help = await runPlugin([name, "--help"]).out.replacingOccurrences(
            of: "\n                          ", with: " ")
        let line = help.split(separator: "\n").first { $0.contains("-o, --output") }.map(String.init) ?? ""
        #expect(
            line.hasSuffix("Output format: \(OutputFormat.spelled(outputs)).")
                || line.contains("Output format: \(OutputFormat.spelled(outputs)) ("), "\(line)")
        #expect(!line.contains("values:"))
        for other in ["json", "yaml", "wide", "text", "name", "jsonpath={.a}"] {
            let keyword = other.hasPrefix("jsonpath") ? "jsonpath" : other
            let target = ["enable": ["deploy/x"], "status": ["deploy/x"], "lint": ["-f", "x"]][name] ?? []
            let run = await runPlugin([name] + target + ["-o", other])
            let refused = run.err.contains("prints -o")
            #expect(refused == !outputs.contains(keyword), "\(name) -o \(other): \(run.err)")
        }
    }

    @Test func usageErrorsGoToStderr() async {
        let run = await runPlugin(["enable"])
        #expect(run.code == 1)
        #expect(run.out.isEmpty)
        #expect(run.err.contains("name at least one workload"))
        #expect(run.err.hasPrefix("error: "), "kubectl's form: \(run.err)")
        #expect(run.err.hasSuffix("See 'kubectl singleton enable --help' for usage.\n"))
        let version = await runPlugin(["version", "--client"])
        #expect(version.out == "Client Version: v\(KubeSingletonVersion.current)\n")
    }
}

@Suite struct CompletionCommandTests {
    @Test func answersInCobraProtocol() async {
        let run = await runPlugin(["__complete", "st"])
        #expect(run.out == "status\n:4\n")
        let kinds = await runPlugin(["__complete", "status", "dep"])
        #expect(kinds.out == "deployment/\ndeploy/\n:6\n")
    }

    @Test func completesObjectNamesFromTheCluster() async {
        let api = FakeAPI(namespace: "shop")
        api.seed(Seeds.deployments, Seeds.web)
        api.seed(
            Seeds.deployments,
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "worker", "namespace": "shop"]])
        let run = await runPlugin(["__complete", "enable", "deploy/w"], connector: api)
        #expect(run.out == "deploy/web\ndeploy/worker\n:4\n")
        api.seed("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]])
        let ns = await runPlugin(["__complete", "list", "-n", "s"], connector: api)
        #expect(ns.out == "shop\n:4\n")
        // No cluster: no candidates, no error.
        let offline = await runPlugin(["__complete", "enable", "deploy/"])
        #expect(offline.code == 0 && offline.out == ":4\n" && offline.err.isEmpty)
    }
}
