import Foundation

/// Reviews bodies in a loop through `SingletonPolicy.begin(bytes:)` and writes each answer,
/// as the webhook's event loop does (a Scale's parent comes from a cache hit): what
/// `bench/reader-instructions.sh` counts under cachegrind, per review.
///
/// usage: reader-bench N BODY... (each body reviewed N times)
@main
enum ReaderBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 3, let n = Int(args[1]) else {
            FileHandle.standardError.write(Data("usage: reader-bench N BODY...\n".utf8))
            exit(2)
        }
        let bodies = try args.dropFirst(2).map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let parent = ObjectMeta(
            name: "web", namespace: "shop", uid: "6a3e1f0c-9d2b-4b7e-8c1a-2f4d5e6a7b8c",
            annotations: [SingletonAnnotation.mode: "at-least-one"])
        let policy = SingletonPolicy()
        var written = 0
        for _ in 0..<n {
            for body in bodies {
                let outcome: ReviewOutcome
                switch policy.begin(bytes: body) {
                case .done(let done): outcome = done
                case .needsParent(let pending): outcome = pending.finish(.found(parent))
                }
                guard outcome.decision != nil else { fatalError("undecided: \(outcome.decodeError?.message ?? "")") }
                written &+= outcome.bodyBytes.count
            }
        }
        print(written)
    }
}
