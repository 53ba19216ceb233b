import ArgumentParser
import Logging
import SingletonCore
import WebhookServer

// Options with a fixed set of values: an unknown one is a usage error that lists them, and
// `--help` shows them. (The SINGLETON_WEBHOOK_* variables are checked by `ServeConfiguration`.)
extension UnverifiedParentPolicy: ExpressibleByArgument {}
extension ParentLookupMode: ExpressibleByArgument {}
extension Enforcement: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
