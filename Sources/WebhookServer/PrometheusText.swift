/// Rendering of the Prometheus text exposition format (version 0.0.4).
///
/// Pure helpers so the metrics registry can stay a thin locked store, and the output can
/// be tested byte for byte.
enum PrometheusText {
    /// `name{k="v",...} value`, labels in the given order, values escaped as the format requires.
    static func sample(_ name: String, _ labels: [(String, String)], _ value: String) -> String {
        guard !labels.isEmpty else { return "\(name) \(value)\n" }
        let rendered = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
        return "\(name){\(rendered)} \(value)\n"
    }

    static func header(_ name: String, type: String, help: String) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.count)
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// Numbers as Prometheus expects: integers without a fraction, `+Inf`.
    static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
