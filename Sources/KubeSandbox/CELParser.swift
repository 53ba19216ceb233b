import Foundation
import SingletonCore

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
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { s.append(chars[i]); i += 1 }
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
struct CELParser {
    typealias Node = CELExpression.Node
    let tokens: [CELToken]
    var pos = 0

    init(tokens: [CELToken]) { self.tokens = tokens }

    var peek: CELToken? { pos < tokens.count ? tokens[pos] : nil }
    mutating func next() -> CELToken? { defer { pos += 1 }; return peek }

    mutating func expect(_ t: CELToken) throws(CELError) {
        guard next() == t else { throw CELError("syntax error: expected \(t) at token \(pos)") }
    }

    func expectEnd() throws(CELError) {
        if let t = peek { throw CELError("syntax error: unexpected \(t) (unsupported CEL construct)") }
    }

    mutating func parseExpression() throws(CELError) -> Node {
        var left = try parseAnd()
        while peek == .op("||") { pos += 1; left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws(CELError) -> Node {
        var left = try parseComparison()
        while peek == .op("&&") { pos += 1; left = .and(left, try parseComparison()) }
        return left
    }

    /// One relation; a chain (`a == b == c`) is left to `expectEnd`, which rejects it.
    mutating func parseComparison() throws(CELError) -> Node {
        let left = try parseUnary()
        switch peek {
        case .op(let o) where ["==", "!=", "<", "<=", ">", ">="].contains(o):
            pos += 1
            return .compare(o, left, try parseUnary())
        case .ident("in"):
            pos += 1
            return .compare("in", left, try parseUnary())
        default:
            return left
        }
    }

    mutating func parseUnary() throws(CELError) -> Node {
        if peek == .op("!") { pos += 1; return .not(try parseUnary()) }
        return try parseMember()
    }

    mutating func parseMember() throws(CELError) -> Node {
        var node = try parsePrimary()
        while true {
            switch peek {
            case .dot:
                pos += 1
                guard case .ident(let name)? = next() else { throw CELError("syntax error: expected a field name after '.'") }
                if peek == .lparen {
                    guard name == "size" else { throw CELError("unsupported function '\(name)' (the sandbox supports a CEL subset)") }
                    pos += 1
                    try expect(.rparen)
                    node = .size(node)
                } else {
                    node = .field(node, name)
                }
            case .lbracket:
                pos += 1
                let idx = try parseExpression()
                try expect(.rbracket)
                node = .index(node, idx)
            default:
                return node
            }
        }
    }

    mutating func parsePrimary() throws(CELError) -> Node {
        switch next() {
        case .int(let v): return .literal(.int(v))
        case .string(let s): return .literal(.string(s))
        case .lparen:
            let e = try parseExpression()
            try expect(.rparen)
            return e
        case .lbracket:
            var items: [Node] = []
            while peek != .rbracket {
                items.append(try parseExpression())
                if peek == .comma { pos += 1 } else { break }
            }
            try expect(.rbracket)
            return .list(items)
        case .ident(let name):
            switch name {
            case "true": return .literal(true)
            case "false": return .literal(false)
            case "null": return .literal(.null)
            case "has", "size":
                try expect(.lparen)
                let arg = try parseMember()
                try expect(.rparen)
                return name == "has" ? .has(arg) : .size(arg)
            case "object", "oldObject", "request":
                return .variable(name)
            default:
                if peek == .lparen { throw CELError("unsupported function '\(name)' (the sandbox supports a CEL subset)") }
                throw CELError("undeclared reference to '\(name)' (supported variables: object, oldObject, request)")
            }
        case let t:
            throw CELError("syntax error: unexpected \(t.map { "\($0)" } ?? "end of expression")")
        }
    }
}
