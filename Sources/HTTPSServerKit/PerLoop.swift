import NIOCore

/// One value per event loop of a server's group (the loop's `RequestCohort` and
/// `EventLoopTaskExecutor`), made before the loops run and then only read, from any loop.
struct PerLoop<Value: Sendable>: Sendable {
    private let byLoop: [ObjectIdentifier: Value]
    private let make: @Sendable (any EventLoop) -> Value

    init(group: any EventLoopGroup, _ make: @escaping @Sendable (any EventLoop) -> Value) {
        var byLoop: [ObjectIdentifier: Value] = [:]
        for loop in group.makeIterator() {
            byLoop[ObjectIdentifier(loop)] = make(loop)
        }
        self.byLoop = byLoop
        self.make = make
    }

    /// The value of `loop`. A loop the group did not list gets one made now: correct, but
    /// shared with no other connection and not among `all`.
    subscript(_ loop: any EventLoop) -> Value {
        byLoop[ObjectIdentifier(loop)] ?? make(loop)
    }

    var all: Dictionary<ObjectIdentifier, Value>.Values { byLoop.values }
}
