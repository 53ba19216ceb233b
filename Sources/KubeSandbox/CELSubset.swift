import Foundation
import KubeAPIMachinery

/// A small, honest subset of CEL for webhook `matchConditions`.
///
/// Supported: literals (ints, 'strings' and "strings", true, false, null, [lists]), the
/// variables `object`, `oldObject`, `request`, field access `a.b`, index `a['k']` / `a[0]`,
/// `has(a.b)`, `size(x)` and `x.size()`, `==` `!=` `<` `<=` `>` `>=`, `in` (map key or list
/// element), `!`, `&&`, `||` with CEL's error absorption (`false && error` is false,
/// `true || error` is true), and parentheses. Anything else (other functions, macros,
/// arithmetic, `authorizer`) is a compile error, and a missing field is a runtime error,
/// as in CEL: both reach the webhook's failurePolicy and are never treated as true.
public struct CELExpression: Sendable {
    indirect enum Node: Sendable {
        case literal(JSONValue)
        case list([Node])
        case variable(String)
        case field(Node, String)
        case index(Node, Node)
        case has(Node)
        case size(Node)
        case not(Node)
        case and(Node, Node)
        case or(Node, Node)
        case compare(String, Node, Node)
    }

    public let source: String
    let root: Node

    /// Compiles an expression; throws a message naming what is unsupported.
    public init(_ source: String) throws(CELError) {
        self.source = source
        var parser = CELParser(tokens: try CELLexer.tokens(source))
        self.root = try parser.parseExpression().node
        try parser.expectEnd()
    }

    /// Evaluates against named variables; the result must be a bool.
    public func evaluate(_ variables: [String: JSONValue]) throws(CELError) -> Bool {
        switch Self.eval(root, variables) {
        case .success(.bool(let b)): return b
        case .success(let other):
            throw CELError(
                "expression '\(source)' must evaluate to bool, got \(String(decoding: other.serialized(), as: UTF8.self))"
            )
        case .failure(let e): throw e
        }
    }

    static func eval(_ node: Node, _ vars: [String: JSONValue]) -> Result<JSONValue, CELError> {
        switch node {
        case .literal(let v): return .success(v)
        case .list(let items):
            var out: [JSONValue] = []
            for i in items {
                switch eval(i, vars) {
                case .success(let v): out.append(v);
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.array(out))
        case .variable(let name):
            guard let v = vars[name] else { return .failure(CELError("undeclared reference to '\(name)'")) }
            return .success(v)
        case .field(let base, let name):
            return eval(base, vars).flatMap { select($0, .string(name)) }
        case .index(let base, let idx):
            return eval(base, vars).flatMap { b in eval(idx, vars).flatMap { select(b, $0) } }
        case .has(let target):
            guard case .field(let base, let name) = target else {
                return .failure(CELError("invalid argument to has() macro"))
            }
            return eval(base, vars).flatMap { b in
                guard case .object(let o) = b else { return .failure(CELError("has() on a non-map value")) }
                return .success(.bool(o[name] != nil))
            }
        case .size(let target):
            return eval(target, vars).flatMap { v in
                switch v {
                case .string(let s): return .success(.int(Int64(s.count)))
                case .array(let a): return .success(.int(Int64(a.count)))
                case .object(let o): return .success(.int(Int64(o.count)))
                default: return .failure(CELError("no matching overload for 'size'"))
                }
            }
        case .not(let inner):
            return eval(inner, vars).flatMap { v in
                guard case .bool(let b) = v else { return .failure(CELError("no matching overload for '!_'")) }
                return .success(.bool(!b))
            }
        case .and(let l, let r): return logical(l, r, vars, absorbing: false)
        case .or(let l, let r): return logical(l, r, vars, absorbing: true)
        case .compare(let op, let l, let r):
            return eval(l, vars).flatMap { a in eval(r, vars).flatMap { b in compare(op, a, b) } }
        }
    }

    /// `&&` (absorbing false) and `||` (absorbing true), commutative over errors as in CEL.
    static func logical(
        _ l: Node, _ r: Node, _ vars: [String: JSONValue], absorbing: Bool
    ) -> Result<JSONValue, CELError> {
        let a = eval(l, vars), b = eval(r, vars)
        var firstError: CELError?
        for side in [a, b] {
            switch side {
            case .success(.bool(let v)): if v == absorbing { return .success(.bool(absorbing)) }
            case .success:
                firstError = firstError ?? CELError("no matching overload for '\(absorbing ? "_||_" : "_&&_")'")
            case .failure(let e): firstError = firstError ?? e
            }
        }
        if let firstError { return .failure(firstError) }
        return .success(.bool(!absorbing))
    }

    static func select(_ base: JSONValue, _ key: JSONValue) -> Result<JSONValue, CELError> {
        switch (base, key) {
        case (.object(let o), .string(let k)):
            guard let v = o[k] else { return .failure(CELError("no such key: \(k)")) }
            return .success(v)
        case (.array(let a), .int(let i)):
            guard let idx = Int(exactly: i), a.indices.contains(idx) else {
                return .failure(CELError("index out of bounds: \(i)"))
            }
            return .success(a[idx])
        case (.null, .string(let k)):
            return .failure(CELError("no such key: \(k) (on null)"))
        default:
            return .failure(CELError("no matching overload for index or field selection"))
        }
    }

    static func compare(_ op: String, _ a: JSONValue, _ b: JSONValue) -> Result<JSONValue, CELError> {
        switch op {
        case "==": return .success(.bool(equal(a, b)))
        case "!=": return .success(.bool(!equal(a, b)))
        case "in":
            switch b {
            case .object(let o):
                guard case .string(let k) = a else { return .failure(CELError("no matching overload for '@in'")) }
                return .success(.bool(o[k] != nil))
            case .array(let items): return .success(.bool(items.contains { equal($0, a) }))
            default: return .failure(CELError("no matching overload for '@in'"))
            }
        default:
            let ordering: Int
            switch (a, b) {
            case (.string(let x), .string(let y)): ordering = x < y ? -1 : (x == y ? 0 : 1)
            default:
                guard let x = number(a), let y = number(b) else {
                    return .failure(CELError("no matching overload for '\(op)' on these operand types"))
                }
                ordering = x < y ? -1 : (x == y ? 0 : 1)
            }
            switch op {
            case "<": return .success(.bool(ordering < 0))
            case "<=": return .success(.bool(ordering <= 0))
            case ">": return .success(.bool(ordering > 0))
            default: return .success(.bool(ordering >= 0))
            }
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i);
        case .double(let d): return d;
        default: return nil
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }
}

/// A CEL compile or evaluation error.
public struct CELError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
