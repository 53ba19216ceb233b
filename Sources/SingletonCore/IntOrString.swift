/// Kubernetes `intstr.IntOrString`: `maxSurge: 1` and `maxSurge: "25%"` are both valid.
public enum IntOrString: Sendable, Equatable, Codable, CustomStringConvertible {
    case int(Int)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return s
        }
    }

    /// Resolves against a total as the Deployment controller does: percentages scale the
    /// total and round up (`roundUp: true`, as for maxSurge) or down (maxUnavailable).
    /// Returns nil for a string that is neither an integer nor a percentage.
    public func scaled(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let i):
            return i
        case .string(let s):
            if s.hasSuffix("%"), let p = Int(s.dropLast()) {
                let product = p * total
                if roundUp { return (product + 99) / 100 }
                return product / 100
            }
            return Int(s)
        }
    }
}
