import ArgumentParser
import SingletonCore

/// `--mode`: an unknown value is a usage error that lists the accepted ones.
extension SingletonMode: ExpressibleByArgument {}
extension Enforcement: ExpressibleByArgument {}

/// A webhook's `failurePolicy`: what the API server does when the webhook cannot answer
/// (`install --failure-policy-scale`), spelled as in the webhook configuration.
public enum FailurePolicy: String, Sendable, CaseIterable, ExpressibleByArgument {
    case ignore = "Ignore"
    case fail = "Fail"
}
