import Foundation

/// How a fuzz target reports an input that breaks an invariant without crashing (paths that
/// disagree): it prints what differs and traps, so libFuzzer saves the input like a crash.
enum FuzzFailure {
    static func trap(_ target: String, _ problems: [String]) -> Never {
        FileHandle.standardError.write(Data(("fuzz \(target): " + problems.joined(separator: "; ") + "\n").utf8))
        fatalError("fuzz \(target): invariant broken")
    }
}
