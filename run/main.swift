// singleton-run: runs a command only while this process holds a Kubernetes Lease. All logic
// lives in the SingletonRun library; this file only wires the process to it.
import Foundation
import SingletonRun

exit(await RunCommand.main(Array(CommandLine.arguments.dropFirst())))
