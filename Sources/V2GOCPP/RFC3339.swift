/// Times as OCPP writes them: RFC 3339 (`YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)`). One parser for the schemas'
/// `date-time` check and for every time the gateway reads, so what passes the check is what is read.
enum RFC3339 {
    /// Unix seconds (fractions dropped); nil if `text` is not an RFC 3339 date-time with every field in range
    /// (day within its month, leap years counted, a leap second read as :59).
    static func unixSeconds(_ text: String) -> Int64? {
        let c = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= c.count else { return nil }
            var n: Int64 = 0
            for b in c[from..<(from + count)] {
                guard (0x30...0x39).contains(b) else { return nil }
                n = n * 10 + Int64(b - 0x30)
            }
            return n
        }
        guard c.count >= 20, let year = digits(0, 4), c[4] == 0x2D, let month = digits(5, 2), c[7] == 0x2D,
              let day = digits(8, 2), c[10] == 0x54 || c[10] == 0x74, let hour = digits(11, 2), c[13] == 0x3A,
              let minute = digits(14, 2), c[16] == 0x3A, let second = digits(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month, year), hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        if i < c.count, c[i] == 0x2E {
            i += 1
            let start = i
            while i < c.count, (0x30...0x39).contains(c[i]) { i += 1 }
            guard i > start else { return nil }
        }
        guard i < c.count else { return nil }
        var offset: Int64 = 0
        if c[i] == 0x5A || c[i] == 0x7A {
            guard i + 1 == c.count else { return nil }
        } else {
            guard c[i] == 0x2B || c[i] == 0x2D, i + 6 == c.count, let h = digits(i + 1, 2), c[i + 3] == 0x3A,
                  let m = digits(i + 4, 2), h < 24, m < 60 else { return nil }
            offset = (h * 60 + m) * 60 * (c[i] == 0x2D ? -1 : 1)
        }
        return daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
    }

    static func string(_ unixSeconds: Int64) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secs = unixSeconds - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(repeating: "0", count: max(0, 4 - String(y).count)) + String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

    private static func daysIn(_ month: Int64, _ year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil and its inverse (proleptic Gregorian, 1970-01-01 is day 0).
    private static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
