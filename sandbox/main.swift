// singleton-sandbox: thin entry point; the command lives in SandboxCommand.swift.
do {
    let command = try SandboxCommand.parse()
    try await command.serve()
} catch {
    SandboxCommand.exit(withError: error)
}
