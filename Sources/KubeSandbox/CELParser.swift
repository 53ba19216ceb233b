import Foundation
import KubeAPIMachinery

/// Tokens of the CEL subset.
enum CELToken: Sendable, Equatable {
    case ident(String), int(Int64), string(String), op(String), lparen, rparen, lbracket, rbracket, dot, comma
}

/// Splits CEL source into tokens; rejects characters outside the subset.
enum CELLexer {
    static func tokens(_ source: String) throws(CELError) -> [CELToken] {
        let chars = Array(source)
        var i = 0
        var out: [CELToken] = []
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c.isLetter || c == "_" {
                var s = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" {
                    s.append(chars[i]); i += 1
                }
                out.append(.ident(s)); continue
            }
            if c.isNumber {
                var s = ""
                while i < chars.count, chars[i].isNumber { s.append(chars[i]); i += 1 }
                guard let v = Int64(s) else { throw CELError("integer literal out of range: \(s)") }
                out.append(.int(v)); continue
            }
            if c == "'" || c == "\"" {
                var s = ""
                i += 1
                while i < chars.count, chars[i] != c {
                    if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                    s.append(chars[i]); i += 1
                }
                guard i < chars.count else { throw CELError("unterminated string literal") }
                i += 1
                out.append(.string(s)); continue
            }
            let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
            if ["&&", "||", "==", "!=", "<=", ">="].contains(two) { out.append(.op(two)); i += 2; continue }
            switch c {
            case "!", "<", ">": out.append(.op(String(c)))
            case "(": out.append(.lparen)
            case ")": out.append(.rparen)
            case "[": out.append(.lbracket)
            case "]": out.append(.rbracket)
            case ".": out.append(.dot)
            case ",": out.append(.comma)
            default: throw CELError("unsupported character '\(c)' (the sandbox supports a CEL subset)")
            }
            i += 1
        }
        return out
    }
}

/// Recursive-descent parser with CEL's precedence: or -> and -> relation -> unary -> member ->
/// primary. `!` binds tighter than a relation, as in CEL: `!a in b` is `(!a) in b`.
///
/// Nesting is bounded (`maxDepth`, cel-go's default recursion limit): parsing, evaluating and
/// releasing a tree all recurse once per level, and an expression in a client's webhook
/// configuration must not overflow the sandbox's stack. Chains of `&&` and `||` are built
/// balanced, as cel-go builds them, so a long chain stays shallow.
struct CELParser {
    typealias Node = CELExpression.Node
    /// A subtree and its depth.
    typealias Parsed = (node: Node, depth: Int)
    static let maxDepth = 250
    let tokens: [CELToken]
    var pos = 0
    /// Nested parses open now (parentheses, brackets, `!`).
    var nesting = 0

    init(tokens: [CELToken]) { self.tokens = tokens }

    var peek: CELToken? { pos < tokens.count ? tokens[pos] : nil }
    mutating func next() -> CELToken? { defer { pos += 1 }; return peek }

    mutating func expect(_ t: CELToken) throws(CELError) {
        guard next() == t else { throw CELError("syntax error: expected \(t) at token \(pos)") }
    }

    func expectEnd() throws(CELError) {
        if let t = peek { throw CELError("syntax error: unexpected \(t) (unsupported CEL construct)") }
    }

    static var tooDeep: CELError { CELError("expression nested deeper than \(maxDepth) levels") }

    /// `node` over `children`, one level deeper than the deepest of them.
    func make(_ node: Node, over children: Parsed...) throws(CELError) -> Parsed {
        let depth = (children.map(\.depth).max() ?? 0) + 1
        guard depth <= Self.maxDepth else { throw Self.tooDeep }
        return (node, depth)
    }

    /// Enters one nested parse; balanced by `nesting -= 1`.
    mutating func enter() throws(CELError) {
        nesting += 1
        guard nesting <= Self.maxDepth else { throw Self.tooDeep }
    }

    /// `terms` joined by `join` as a balanced tree (`&&` and `||` are associative).
    func balanced(_ terms: ArraySlice<Parsed>, _ join: (Node, Node) -> Node) throws(CELError) -> Parsed {
        if terms.count == 1, let only = terms.first { return only }
        let middle = terms.startIndex + terms.count / 2
        let left = try balanced(terms[..<middle], join), right = try balanced(terms[middle...], join)
        return try make(join(left.node, right.node), over: left, right)
    }

    mutating func parseExpression() throws(CELError) -> Parsed {
        try enter()
        defer { nesting -= 1 }
        var terms = [try parseAnd()]
        while peek == .op("||") { pos += 1; terms.append(try parseAnd()) }
        return try balanced(terms[...], Node.or)
    }

    mutating func parseAnd() throws(CELError) -> Parsed {
        var terms = [try parseComparison()]
        while peek == .op("&&") { pos += 1; terms.append(try parseComparison()) }
        return try balanced(terms[...], Node.and)
    }

    /// One relation; a chain (`a == b == c`) is left to `expectEnd`, which rejects it.
    mutating func parseComparison() throws(CELError) -> Parsed {
        let left = try parseUnary()
        switch peek {
        case .op(let o) where ["==", "!=", "<", "<=", ">", ">="].contains(o):
            pos += 1
            let right = try parseUnary()
            return try make(.compare(o, left.node, right.node), over: left, right)
        case .ident("in"):
            pos += 1
            let right = try parseUnary()
            return try make(.compare("in", left.node, right.node), over: left, right)
        default:
            return left
        }
    }

    mutating func parseUnary() throws(CELError) -> Parsed {
        guard peek == .op("!") else { return try parseMember() }
        pos += 1
        try enter()
        defer { nesting -= 1 }
        let operand = try parseUnary()
        return try make(.not(operand.node), over: operand)
    }

    mutating func parseMember() throws(CELError) -> Parsed {
        var node = try parsePrimary()
        while true {
            switch peek {
            case .dot:
                pos += 1
                guard case .ident(let name)? = next() else {
                    throw CELError("syntax error: expected a field name after '.'")
                }
                if peek == .lparen {
                    guard name == "size" else {
                        throw CELError("unsupported function '\(name)' (the sandbox supports a CEL subset)")
                    }
                    pos += 1
                    try expect(.rparen)
                    node = try make(.size(node.node), over: node)
                } else {
                    node = try make(.field(node.node, name), over: node)
                }
            case .lbracket:
                pos += 1
                let idx = try parseExpression()
                try expect(.rbracket)
                node = try make(.index(node.node, idx.node), over: node, idx)
            default:
                return node
            }
        }
    }

    mutating func parsePrimary() throws(CELError) -> Parsed {
        switch next() {
        case .int(let v): return (.literal(.int(v)), 1)
        case .string(let s): return (.literal(.string(s)), 1)
        case .lparen:
            let e = try parseExpression()
            try expect(.rparen)
            return e
        case .lbracket:
            try enter()
            defer { nesting -= 1 }
            var items: [Parsed] = []
            while peek != .rbracket {
                items.append(try parseExpression())
                if peek == .comma { pos += 1 } else { break }
            }
            try expect(.rbracket)
            let depth = (items.map(\.depth).max() ?? 0) + 1
            guard depth <= Self.maxDepth else { throw Self.tooDeep }
            return (.list(items.map(\.node)), depth)
        case .ident(let name):
            switch name {
            case "true": return (.literal(true), 1)
            case "false": return (.literal(false), 1)
            case "null": return (.literal(.null), 1)
            case "has", "size":
                try enter()
                defer { nesting -= 1 }
                try expect(.lparen)
                let arg = try parseMember()
                try expect(.rparen)
                return try make(name == "has" ? .has(arg.node) : .size(arg.node), over: arg)
            case "object", "oldObject", "request":
                return (.variable(name), 1)
            default:
                if peek == .lparen {
                    throw CELError("unsupported function '\(name)' (the sandbox supports a CEL subset)")
                }
                throw CELError("undeclared reference to '\(name)' (supported variables: object, oldObject, request)")
            }
        case let t:
            throw CELError("syntax error: unexpected \(t.map { "\($0)" } ?? "end of expression")")
        }
    }
}
