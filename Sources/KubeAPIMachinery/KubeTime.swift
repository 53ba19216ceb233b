import Foundation

/// Parses the timestamps leader-election locks carry: RFC 3339 `Time` (seconds),
/// `MicroTime` (6 fractional digits), and Camel's `yyyy-MM-dd'T'HH:mm:ssX`, whose zone may
/// be `Z`, `+02`, `+0200` or `+02:00`. Returns nil for anything else: a damaged value is
/// reported as unknown, never guessed.
public enum KubeTime {
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard chars.count >= 20, chars[4] == "-", chars[7] == "-", chars[10] == "T" || chars[10] == "t",
            chars[13] == ":", chars[16] == ":"
        else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(chars[range])) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == "." {
            var digits = ""
            index += 1
            while index < chars.count, chars[index].isNumber {
                digits.append(chars[index])
                index += 1
            }
            guard !digits.isEmpty, let f = Double("0." + digits) else { return nil }
            fraction = f
        }
        guard index < chars.count else { return nil }
        var offsetSeconds = 0
        if chars[index] == "Z" || chars[index] == "z" {
            guard index + 1 == chars.count else { return nil }
        } else if chars[index] == "+" || chars[index] == "-" {
            let sign = chars[index] == "+" ? 1 : -1
            let zone = String(chars[(index + 1)...]).replacingOccurrences(of: ":", with: "")
            guard zone.count == 2 || zone.count == 4, zone.allSatisfy(\.isNumber),
                let hh = Int(zone.prefix(2)), let mm = Int(zone.count == 4 ? String(zone.suffix(2)) : "0")
            else { return nil }
            offsetSeconds = sign * (hh * 3600 + mm * 60)
        } else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
            let date = calendar.date(from: components)
        else { return nil }
        return date.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}
