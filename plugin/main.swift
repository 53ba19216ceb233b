// kubectl-singleton: kubectl runs this for `kubectl singleton ...`. All logic lives in
// the SingletonCLI library; this file only wires the process to it.
import Foundation
import SingletonCLI

let environment = CLIEnvironment(
    out: FileSink.standardOutput,
    err: FileSink.standardError,
    readStandardInput: { FileHandle.standardInput.readDataToEndOfFile() },
    variables: ProcessInfo.processInfo.environment,
    connector: KubeClientConnector(
        environment: ProcessInfo.processInfo.environment,
        log: { FileSink.standardError.line("I \($0)") })
)
let code = await PluginMain.run(Array(CommandLine.arguments.dropFirst()), env: environment)
exit(code)
