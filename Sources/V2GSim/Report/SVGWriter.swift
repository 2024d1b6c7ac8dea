import FoundationEssentials

/// Builds SVG markup: elements with escaped attributes and text, coordinates without float noise.
struct SVGWriter {
    private(set) var markup = ""

    /// Starts a standalone document (XML declaration, `<svg>` with a viewBox, `<title>` for screen readers).
    static func document(width: Double, height: Double, title: String, body: String) -> String {
        let w = NumberText.coordinate(width), h = NumberText.coordinate(height)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)" \
            font-family="Helvetica, Arial, sans-serif" role="img">
            <title>\(escape(title))</title>
            <rect class="background" x="0" y="0" width="\(w)" height="\(h)" fill="#ffffff"/>

            """ + body + "</svg>\n"
    }

    /// An empty element, `<name a="v" …/>`.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, Any>) {
        markup += "<\(name)\(Self.attributes(attributes))/>\n"
    }

    /// An element holding text, `<name a="v" …>text</name>`.
    mutating func text(_ text: String, _ attributes: KeyValuePairs<String, Any>, name: String = "text") {
        markup += "<\(name)\(Self.attributes(attributes))>\(Self.escape(text))</\(name)>\n"
    }

    /// Opens a group; close it with ``close(_:)``.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, Any> = [:]) {
        markup += "<\(name)\(Self.attributes(attributes))>\n"
    }

    mutating func close(_ name: String) {
        markup += "</\(name)>\n"
    }

    /// Appends markup that is already well formed.
    mutating func raw(_ markup: String) {
        self.markup += markup
    }

    private static func attributes(_ attributes: KeyValuePairs<String, Any>) -> String {
        var result = ""
        for (key, value) in attributes {
            let text: String
            switch value {
            case let number as Double: text = NumberText.coordinate(number)
            case let number as Int: text = String(number)
            default: text = "\(value)"
            }
            result += " \(key)=\"\(escape(text))\""
        }
        return result
    }

    /// `text` with `& < > " '` replaced by entities and characters XML 1.0 forbids replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result.unicodeScalars.append("\u{FFFD}")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A rough width of `text` in a sans-serif font of `size` points (no font metrics are available).
    static func textWidth(_ text: String, size: Double, bold: Bool = false) -> Double {
        var units = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", "I", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "[", "]", "f", "t": units += 0.34
            case "m", "w", "M", "W", "%", "@": units += 0.86
            case _ where character.isUppercase: units += 0.68
            default: units += 0.56
            }
        }
        return units * size * (bold ? 1.12 : 1)
    }
}
