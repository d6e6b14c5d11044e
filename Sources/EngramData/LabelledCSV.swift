import EngramFewShot
import Foundation

/// Reads a labelled data set from CSV: one example per line, numeric features, the integer class
/// in the last column (the layout of `../shared/data/digits/digits.csv.gz`). A header line whose
/// fields are not numbers is skipped; gzip-compressed files are inflated.
public enum LabelledCSV {
    /// - Parameters:
    ///   - path: a `.csv` or `.csv.gz` file.
    ///   - scale: a factor applied to every feature (1/16 turns 0…16 pixels into rates).
    /// - Throws: ``DataFileError`` naming the file and line of a malformed row.
    public static func load(path: String, scale: Double = 1) throws -> LabelledDataset {
        let data = try Gzip.readPossiblyCompressed(path: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataFileError.unreadable(path: path, reason: "not UTF-8 text")
        }
        var features: [Double] = []
        var labels: [Int] = []
        var width: Int?
        // `isNewline` covers "\n" and the single Character "\r\n" of Windows line endings.
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == 1 && fields[0].isEmpty { continue }
            let numbers = fields.map { Double($0) }
            if lineNumber == 1 && numbers.allSatisfy({ $0 == nil }) { continue }  // header
            guard fields.count >= 2 else {
                throw DataFileError.malformedRow(path: path, line: lineNumber, reason: "expected features and a class, found \(fields.count) field")
            }
            if let width, fields.count - 1 != width {
                throw DataFileError.malformedRow(path: path, line: lineNumber, reason: "\(fields.count - 1) features where earlier rows have \(width)")
            }
            width = fields.count - 1
            for (column, number) in numbers.dropLast().enumerated() {
                guard let number, number.isFinite, (number * scale).isFinite else {
                    throw DataFileError.malformedRow(path: path, line: lineNumber, reason: "column \(column + 1) is not a finite number: \"\(fields[column])\"")
                }
                features.append(number * scale)
            }
            guard let label = Int(fields[fields.count - 1]) else {
                throw DataFileError.malformedRow(path: path, line: lineNumber, reason: "the class \"\(fields[fields.count - 1])\" is not an integer")
            }
            labels.append(label)
        }
        guard let width else { throw DataFileError.unreadable(path: path, reason: "no data rows") }
        return try LabelledDataset(featureCount: width, features: features, labels: labels)
    }
}
