import Foundation

/// Small, valid attachment files generated on the fly, so the repository holds no binary blobs.
enum DemoFiles {
    /// A one-page PDF 1.4 showing `lines` in Helvetica, with a correct cross-reference table.
    static func pdf(title: String, lines: [String]) -> [UInt8] {
        let escaped = lines.map {
            $0.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "(", with: "\\(")
                .replacingOccurrences(of: ")", with: "\\)")
        }
        var stream = "BT\n/F1 11 Tf\n14 TL\n56 780 Td\n"
        for line in escaped { stream += "(\(line)) Tj T*\n" }
        stream += "ET\n"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)endstream",
            "<< /Title (\(title)) /Producer (Mailbag demo) >>",
        ]
        // The high-bit comment marks the file as binary for transfer agents, as PDF writers do.
        var out: [UInt8] = Array("%PDF-1.4\n".utf8) + [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n\(object)\nendobj\n".utf8)
        }
        let xref = out.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            table += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Info 6 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return out + Array(table.utf8)
    }

    /// A small logo: diagonal two-colour gradient with a light ring.
    static func logo(size: Int, from start: (UInt8, UInt8, UInt8), to end: (UInt8, UInt8, UInt8)) -> [UInt8] {
        var rgb: [UInt8] = []
        rgb.reserveCapacity(size * size * 3)
        let center = Double(size - 1) / 2
        for y in 0..<size {
            for x in 0..<size {
                let t = Double(x + y) / Double(2 * (size - 1))
                let dx = Double(x) - center
                let dy = Double(y) - center
                let ring = abs((dx * dx + dy * dy).squareRoot() - Double(size) * 0.3) < 1.6
                for (a, b) in [(start.0, end.0), (start.1, end.1), (start.2, end.2)] {
                    rgb.append(ring ? 250 : UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()))
                }
            }
        }
        return png(width: size, height: size, rgb: rgb)
    }

    /// A photo-sized sunset: gradient sky, a low sun and a grainy ridge line. It is large (about three bytes
    /// per pixel, the PNG being stored uncompressed) yet cheap to make even in a debug build, because rows
    /// are assembled from runs copied out of precomputed rows rather than pixel by pixel.
    static func sunset(width: Int, height: Int) -> [UInt8] {
        let ridge = (0..<width).map { x -> Int in
            let x = Double(x)
            let shape = 0.62 + 0.07 * sin(x / 97) + 0.04 * sin(x / 31 + 1.3) + 0.015 * sin(x / 7.3)
            return Int(Double(height) * shape)
        }
        let (firstGroundRow, fullGroundRow) = (ridge.min() ?? height, ridge.max() ?? height)
        // Rows of ground are windows into one longer strip at shifting offsets, so the grain does not repeat.
        let shift = 257
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let ground = (0..<(width + shift) * 3).map { index -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return [28, 22, 34][index % 3] + UInt8(truncatingIfNeeded: state & 0x0F)
        }
        let sun = (x: Double(width) * 0.68, y: Double(firstGroundRow) - Double(height) * 0.05, radius: Double(height) * 0.05)
        var rgb: [UInt8] = []
        rgb.reserveCapacity(width * height * 3)
        for y in 0..<height {
            let offset = (y * 97 % shift) * 3
            if y >= fullGroundRow {
                rgb += ground[offset..<offset + width * 3]
                continue
            }
            let t = y * 255 / height
            var row = repeated([UInt8(40 + t * 200 / 255), UInt8(60 + t * 90 / 255), UInt8(140 - t * 100 / 255)],
                               count: width)
            let dy = Double(y) - sun.y
            if abs(dy) < sun.radius {
                let half = (sun.radius * sun.radius - dy * dy).squareRoot()
                let from = max(0, Int(sun.x - half))
                let to = min(width, Int(sun.x + half))
                row.replaceSubrange(from * 3..<to * 3, with: repeated([255, 214, 140], count: to - from))
            }
            var x = 0
            while y >= firstGroundRow && x < width {
                guard ridge[x] <= y else {
                    x += 1
                    continue
                }
                var end = x
                while end < width && ridge[end] <= y { end += 1 }
                row.replaceSubrange(x * 3..<end * 3, with: ground[offset + x * 3..<offset + end * 3])
                x = end
            }
            rgb += row
        }
        return png(width: width, height: height, rgb: rgb)
    }

    /// `pattern` repeated `count` times, built by doubling so it costs a handful of bulk copies.
    private static func repeated(_ pattern: [UInt8], count: Int) -> [UInt8] {
        let total = pattern.count * count
        var out = pattern
        out.reserveCapacity(total)
        while out.count < total {
            out += out.prefix(total - out.count)
        }
        return out
    }

    /// Wraps RGB rows in a PNG with stored (type 0) deflate blocks, which every decoder reads.
    private static func png(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(rgb.count + height)
        let stride = width * 3
        for row in 0..<height {
            raw.append(0)
            raw += rgb[row * stride..<(row + 1) * stride]
        }
        var zlib: [UInt8] = [0x78, 0x01]
        zlib.reserveCapacity(raw.count + raw.count / 65_535 * 5 + 16)
        var offset = 0
        repeat {
            let count = min(65_535, raw.count - offset)
            let final: UInt8 = offset + count == raw.count ? 1 : 0
            zlib += [final, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            zlib += raw[offset..<offset + count]
            offset += count
        } while offset < raw.count
        zlib += bigEndian(adler32(raw))
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        crcTable.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { data in
                var crc: UInt32 = 0xFFFF_FFFF
                for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
                return ~crc
            }
        }
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { data in
            var a: UInt32 = 1
            var b: UInt32 = 0
            var index = 0
            // 5552 is the longest run before the sums can overflow 32 bits (zlib's NMAX).
            while index < data.count {
                let end = min(index + 5552, data.count)
                while index < end {
                    a &+= UInt32(data[index])
                    b &+= a
                    index += 1
                }
                a %= 65_521
                b %= 65_521
            }
            return b << 16 | a
        }
    }
}
