/// A table printed like `kubectl get`: upper-case headers, columns left-aligned and
/// separated by three spaces, no trailing spaces.
public struct Table: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The rendered text, one line per row, each ending in a newline. An empty table
    /// renders nothing (the caller prints kubectl's "No resources found" line).
    public func render(headers showHeaders: Bool = true) -> String {
        guard !rows.isEmpty else { return "" }
        let all = showHeaders ? [headers] + rows : rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count {
                widths[i] = max(widths[i], cell.count)
            }
        }
        var text = ""
        for row in all {
            var line = ""
            for i in 0..<headers.count {
                let cell = i < row.count ? row[i] : ""
                if i == headers.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[i] - cell.count + 3)
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}

/// kubectl's message for an empty listing.
func noResourcesMessage(namespace: String?) -> String {
    if let namespace { return "No resources found in \(namespace) namespace." }
    return "No resources found"
}

/// Ages as kubectl prints them: `45s`, `5m33s`, `3h4m`, `3d17h`, `400d`.
public func humanDuration(seconds: Double) -> String {
    let s = Int(max(0, seconds))
    if s < 120 { return "\(s)s" }
    let m = s / 60
    if m < 10 { return s % 60 == 0 ? "\(m)m" : "\(m)m\(s % 60)s" }
    if m < 180 { return "\(m)m" }
    let h = m / 60
    if h < 8 { return m % 60 == 0 ? "\(h)h" : "\(h)h\(m % 60)m" }
    if h < 48 { return "\(h)h" }
    let d = h / 24
    if d < 8 { return h % 24 == 0 ? "\(d)d" : "\(d)d\(h % 24)h" }
    if d < 365 * 2 { return "\(d)d" }
    return "\(d / 365)y"
}
