import KubeAPIMachinery
import SingletonCore

/// `-o jsonpath=TEMPLATE`: the subset of kubectl's JSONPath templates that scripts use.
/// Text outside braces is printed as is; `{.a.b}`, `{.items[*].metadata.name}`, `{.x[0]}`,
/// `{.x[1:3]}`, `{.x['key.with.dots']}`, `{..name}`, `{.x[?(@.k=="v")]}`, string literals
/// (`{"\n"}`) and `{range .items[*]}...{end}`. Several results of one expression are
/// joined by a space; a missing field prints nothing (kubectl's default for `get`);
/// strings print raw, objects and lists as JSON.
public struct JSONPathTemplate: Sendable, Equatable {
    indirect enum Node: Sendable, Equatable {
        case text(String)
        case expression([Step])
        case range([Step], [Node])
    }

    enum Step: Sendable, Equatable {
        case field(String)
        case wildcard
        case index(Int)
        case slice(Int?, Int?)
        case recursive(String?)
        case filter(path: [Step], op: String?, literal: JSONValue?)
    }

    /// Why a template could not be read: a usage error.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    let nodes: [Node]

    public init(_ template: String) throws(ParseError) {
        var parser = Parser(text: Array(template))
        nodes = try parser.nodes(untilEnd: false)
    }

    /// The template applied to `value`.
    public func render(_ value: JSONValue) -> String {
        Self.render(nodes, value)
    }

    static func render(_ nodes: [Node], _ value: JSONValue) -> String {
        var out = ""
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .expression(let steps):
                out += evaluate(steps, on: value).map(Self.text).joined(separator: " ")
            case .range(let steps, let body):
                for item in evaluate(steps, on: value) {
                    // `{range .items[*]}` iterates the items; `{range .items}` iterates a list too.
                    if case .array(let elements) = item, steps.last != .wildcard {
                        for element in elements { out += render(body, element) }
                    } else {
                        out += render(body, item)
                    }
                }
            }
        }
        return out
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .object, .array: return String(decoding: value.serialized(), as: UTF8.self)
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        }
    }

    static func evaluate(_ steps: [Step], on root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            current = current.flatMap { apply(step, to: $0) }
        }
        return current
    }

    static func apply(_ step: Step, to value: JSONValue) -> [JSONValue] {
        switch step {
        case .field(let name):
            return value[name].map { [$0] } ?? []
        case .wildcard:
            switch value {
            case .array(let a): return a
            case .object(let o): return o.keys.sorted().compactMap { o[$0] }
            default: return []
            }
        case .index(let i):
            guard case .array(let a) = value else { return [] }
            let index = i < 0 ? a.count + i : i
            return a.indices.contains(index) ? [a[index]] : []
        case .slice(let from, let to):
            guard case .array(let a) = value else { return [] }
            func clamp(_ i: Int) -> Int { min(max(i < 0 ? a.count + i : i, 0), a.count) }
            let lower = clamp(from ?? 0), upper = clamp(to ?? a.count)
            return lower < upper ? Array(a[lower..<upper]) : []
        case .recursive(let name):
            var found: [JSONValue] = []
            func walk(_ v: JSONValue) {
                if let name {
                    if let hit = v[name] { found.append(hit) }
                } else {
                    found.append(v)
                }
                switch v {
                case .array(let a): a.forEach(walk)
                case .object(let o): o.keys.sorted().forEach { if let child = o[$0] { walk(child) } }
                default: break
                }
            }
            walk(value)
            return found
        case .filter(let path, let op, let literal):
            let candidates: [JSONValue]
            switch value {
            case .array(let a): candidates = a
            default: candidates = [value]
            }
            return candidates.filter { item in
                let got = evaluate(path, on: item)
                guard let op, let literal else { return !got.isEmpty }
                return got.contains { compare($0, op, literal) }
            }
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Numbers compare as numbers, anything else as its printed text.
    static func compare(_ left: JSONValue, _ op: String, _ right: JSONValue) -> Bool {
        if let l = number(left), let r = number(right) { return ordered(l, op, r) }
        return ordered(text(left), op, text(right))
    }

    static func ordered<T: Comparable>(_ l: T, _ op: String, _ r: T) -> Bool {
        switch op {
        case "==": return l == r
        case "!=": return l != r
        case "<": return l < r
        case "<=": return l <= r
        case ">": return l > r
        case ">=": return l >= r
        default: return false
        }
    }

    struct Parser {
        let text: [Character]
        var i = 0

        mutating func nodes(untilEnd: Bool) throws(ParseError) -> [Node] {
            var nodes: [Node] = []
            var literal = ""
            while i < text.count {
                let c = text[i]
                if c != "{" {
                    literal.append(c)
                    i += 1
                    continue
                }
                if !literal.isEmpty { nodes.append(.text(literal)); literal = "" }
                i += 1
                let body = try braceBody()
                let trimmed = body.trimmingCharacters(in: .whitespaces)
                if trimmed == "end" {
                    guard untilEnd else { throw ParseError(description: "{end} without a {range}") }
                    return nodes
                }
                if trimmed.hasPrefix("range ") || trimmed.hasPrefix("range\t") {
                    let steps = try Self.path(String(trimmed.dropFirst(6)).trimmingCharacters(in: .whitespaces))
                    let inner = try self.nodes(untilEnd: true)
                    nodes.append(.range(steps, inner))
                    continue
                }
                if let quoted = Self.stringLiteral(trimmed) {
                    nodes.append(.text(quoted))
                    continue
                }
                nodes.append(.expression(try Self.path(trimmed)))
            }
            if untilEnd { throw ParseError(description: "{range} without an {end}") }
            if !literal.isEmpty { nodes.append(.text(literal)) }
            return nodes
        }

        /// The text up to the matching `}` (braces inside quotes do not count).
        mutating func braceBody() throws(ParseError) -> String {
            var body = ""
            var quote: Character?
            while i < text.count {
                let c = text[i]
                i += 1
                if let q = quote {
                    body.append(c)
                    if c == "\\", i < text.count { body.append(text[i]); i += 1; continue }
                    if c == q { quote = nil }
                    continue
                }
                if c == "\"" || c == "'" { quote = c }
                if c == "}" { return body }
                body.append(c)
            }
            throw ParseError(description: "unclosed { in the jsonpath template")
        }

        /// `"text"` with Go escapes (`\n`, `\t`, `\"`, `\\`), or nil when not a literal.
        static func stringLiteral(_ s: String) -> String? {
            guard s.count >= 2, let first = s.first, first == "\"" || first == "'", s.last == first else { return nil }
            var out = ""
            var escaped = false
            for c in s.dropFirst().dropLast() {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    default: out.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else {
                    out.append(c)
                }
            }
            return out
        }

        /// `.a.b[*].c`, `$.a`, `..name`, `['x.y']`, `[0]`, `[1:2]`, `[?(@.a=="b")]`.
        static func path(_ source: String) throws(ParseError) -> [Step] {
            let s = Array(source)
            var i = 0
            var steps: [Step] = []
            if i < s.count, s[i] == "$" { i += 1 }
            func name() -> String {
                var n = ""
                while i < s.count, s[i] != ".", s[i] != "[" { n.append(s[i]); i += 1 }
                return n
            }
            while i < s.count {
                switch s[i] {
                case ".":
                    i += 1
                    if i < s.count, s[i] == "." {
                        i += 1
                        let n = name()
                        steps.append(.recursive(n.isEmpty || n == "*" ? nil : n))
                        continue
                    }
                    let n = name()
                    if n == "*" { steps.append(.wildcard) } else if !n.isEmpty { steps.append(.field(n)) }
                case "[":
                    guard let close = closingBracket(s, from: i) else {
                        throw ParseError(description: "unclosed [ in jsonpath \(source)")
                    }
                    let inside = String(s[(i + 1)..<close]).trimmingCharacters(in: .whitespaces)
                    i = close + 1
                    steps.append(try bracket(inside, in: source))
                default:
                    if steps.isEmpty {
                        // kubectl tolerates a missing leading dot: {items[0]}
                        let n = name()
                        steps.append(n == "*" ? .wildcard : .field(n))
                    } else {
                        throw ParseError(description: "unexpected \"\(s[i])\" in jsonpath \(source)")
                    }
                }
            }
            return steps
        }

        static func closingBracket(_ s: [Character], from start: Int) -> Int? {
            var quote: Character?
            var depth = 0
            var j = start
            while j < s.count {
                let c = s[j]
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == "\"" || c == "'" {
                    quote = c
                } else if c == "[" {
                    depth += 1
                } else if c == "]" {
                    depth -= 1
                    if depth == 0 { return j }
                }
                j += 1
            }
            return nil
        }

        static func bracket(_ inside: String, in source: String) throws(ParseError) -> Step {
            if inside == "*" { return .wildcard }
            if let key = stringLiteral(inside) { return .field(key) }
            if inside.hasPrefix("?(") && inside.hasSuffix(")") {
                return try filter(String(inside.dropFirst(2).dropLast()), in: source)
            }
            if inside.contains(":") {
                let parts = inside.split(separator: ":", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard parts.count == 2 else {
                    throw ParseError(description: "unsupported slice [\(inside)] in jsonpath \(source)")
                }
                let from = parts[0].isEmpty ? nil : Int(parts[0]), to = parts[1].isEmpty ? nil : Int(parts[1])
                guard parts[0].isEmpty || from != nil, parts[1].isEmpty || to != nil else {
                    throw ParseError(description: "invalid slice [\(inside)] in jsonpath \(source)")
                }
                return .slice(from, to)
            }
            guard let index = Int(inside) else {
                throw ParseError(description: "invalid index [\(inside)] in jsonpath \(source)")
            }
            return .index(index)
        }

        static func filter(_ expression: String, in source: String) throws(ParseError) -> Step {
            let text = expression.trimmingCharacters(in: .whitespaces)
            for op in ["==", "!=", "<=", ">=", "<", ">"] {
                guard let range = text.range(of: op) else { continue }
                let left = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let right = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard left.hasPrefix("@") else { break }
                let literal: JSONValue
                if let s = stringLiteral(right) {
                    literal = .string(s)
                } else if let n = Int64(right) {
                    literal = .int(n)
                } else if let d = Double(right) {
                    literal = .double(d)
                } else if right == "true" || right == "false" {
                    literal = .bool(right == "true")
                } else {
                    throw ParseError(description: "unsupported filter value \(right) in jsonpath \(source)")
                }
                return .filter(path: try path(String(left.dropFirst())), op: op, literal: literal)
            }
            guard text.hasPrefix("@") else {
                throw ParseError(description: "unsupported filter ?(\(expression)) in jsonpath \(source)")
            }
            return .filter(path: try path(String(text.dropFirst())), op: nil, literal: nil)
        }
    }
}
