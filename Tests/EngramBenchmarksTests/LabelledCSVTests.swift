@testable import EngramData
import EngramFewShot
import Foundation
import Testing
@testable import EngramBenchmarks

/// A data set's public contents, comparable as a whole.
struct DatasetValues: Equatable, CustomStringConvertible {
    var featureCount: Int
    var features: [Double]
    var labels: [Int]
    var classes: [Int]

    init(_ dataset: LabelledDataset) {
        featureCount = dataset.featureCount
        features = dataset.features
        labels = dataset.labels
        classes = dataset.classes
    }

    init(featureCount: Int, features: [Double], labels: [Int]) {
        self.featureCount = featureCount
        self.features = features
        self.labels = labels
        classes = Array(Set(labels)).sorted()
    }

    var description: String { "\(featureCount) features, \(features), labels \(labels), classes \(classes)" }
}

@Suite("LabelledCSV.load")
struct LabelledCSVTests {
    /// `1,2,0` and `3,4,1`: the rows of ``GzipFixtures/twoRows``.
    static let twoRows = DatasetValues(featureCount: 2, features: [1, 2, 3, 4], labels: [0, 1])

    /// Loads `text` written to a file called `name` in a fresh temporary directory.
    static func load(_ text: String, name: String = "data.csv", scale: Double = 1) throws -> DatasetValues {
        try TemporaryDirectory.with { directory in
            DatasetValues(try LabelledCSV.load(path: directory.write(text, to: name), scale: scale))
        }
    }

    /// The error of loading `bytes` written to `name`, with the path the loader was given.
    static func loadError(_ bytes: [UInt8], name: String = "data.csv") throws -> (path: String, error: DataFileError?) {
        try TemporaryDirectory.with { directory in
            let path = try directory.write(bytes, to: name)
            let error = #expect(throws: DataFileError.self) { try LabelledCSV.load(path: path) }
            return (path, error)
        }
    }

    // MARK: - Well-formed files

    @Test("a plain CSV and the same CSV gzip-compressed load to the same values")
    func plainAndGzip() throws {
        let plain = try Self.load(GzipFixtures.twoRowsText)
        let compressed = try TemporaryDirectory.with { directory in
            DatasetValues(try LabelledCSV.load(path: directory.write(GzipFixtures.twoRows, to: "data.csv.gz")))
        }
        #expect(plain == Self.twoRows)
        #expect(compressed == plain)
    }

    @Test("gzip is recognised by its magic number, not by the file name")
    func gzipWithoutSuffix() throws {
        let values = try TemporaryDirectory.with { directory in
            DatasetValues(try LabelledCSV.load(path: directory.write(GzipFixtures.twoRows, to: "data.csv")))
        }
        #expect(values == Self.twoRows)
    }

    @Test("the scale multiplies every feature and leaves the classes alone")
    func scale() throws {
        let values = try Self.load("0,8,16,3\n4,12,2,5\n", scale: 1.0 / 16)
        #expect(values == DatasetValues(featureCount: 3, features: [0, 0.5, 1, 0.25, 0.75, 0.125], labels: [3, 5]))
    }

    @Test("a first line of non-numbers is a header and is skipped")
    func header() throws {
        #expect(try Self.load("x,y,label\n" + GzipFixtures.twoRowsText) == Self.twoRows)
        #expect(try Self.load("\"pixel 0\", pixel1 , class\n1,2,0\n3,4,1") == Self.twoRows, "no final newline")
    }

    @Test("empty and blank lines are ignored wherever they are")
    func emptyLines() throws {
        #expect(try Self.load("\n1,2,0\n\n   \n\t\n3,4,1\n\n\n") == Self.twoRows)
    }

    @Test("spaces around fields, signs and exponents are accepted")
    func numberSyntax() throws {
        let values = try Self.load(" -1.5 , +2e-1,7 \n1.6e1, .25 ,-3\n")
        #expect(values == DatasetValues(featureCount: 2, features: [-1.5, 0.2, 16, 0.25], labels: [7, -3]))
    }

    @Test("the rows keep file order and the classes are the distinct labels, ascending")
    func order() throws {
        let values = try Self.load("9,9,4\n1,1,2\n5,5,4\n0,0,0\n")
        #expect(values.labels == [4, 2, 4, 0])
        #expect(values.classes == [0, 2, 4])
        #expect(values.features == [9, 9, 1, 1, 5, 5, 0, 0])
    }

    @Test("a UTF-8 byte-order mark is ignored, before a header or a row")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        for text in ["x,y,label\n" + GzipFixtures.twoRowsText, GzipFixtures.twoRowsText] {
            let values = try TemporaryDirectory.with { directory in
                DatasetValues(try LabelledCSV.load(path: directory.write(bom + Array(text.utf8), to: "bom.csv")))
            }
            #expect(values == Self.twoRows)
        }
    }

    @Test("Windows line endings load like Unix ones")
    func crlf() throws {
        #expect(try Self.load("1,2,0\r\n3,4,1\r\n") == Self.twoRows)
        #expect(try Self.load("x,y,label\r\n1,2,0\r\n\r\n3,4,1\r\n") == Self.twoRows)
    }

    // MARK: - Malformed rows

    /// A file with one bad row, the line the error must name and a phrase its reason must contain.
    struct MalformedRow: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var line: Int
        var reason: String
        var testDescription: String { label }
    }

    static let malformedRows: [MalformedRow] = [
        MalformedRow(label: "a non-numeric feature", text: "1,2,0\n3,x,1\n", line: 2, reason: "column 2 is not a finite number: \"x\""),
        MalformedRow(label: "an empty feature", text: "1,,0\n", line: 1, reason: "column 2"),
        MalformedRow(label: "a NaN feature", text: "1,2,0\n\n3,nan,1\n", line: 3, reason: "column 2"),
        MalformedRow(label: "an infinite feature", text: "inf,2,0\n", line: 1, reason: "column 1"),
        MalformedRow(label: "an overflowing feature", text: "1,2,0\n1e999,2,0\n", line: 2, reason: "column 1"),
        MalformedRow(label: "a non-integer class", text: "1,2,0\n3,4,1.5\n", line: 2, reason: "the class \"1.5\" is not an integer"),
        MalformedRow(label: "a missing class", text: "1,2,0\n3,4,\n", line: 2, reason: "the class \"\" is not an integer"),
        MalformedRow(label: "a non-numeric class", text: "x,y,label\n1,2,zero\n", line: 2, reason: "\"zero\""),
        MalformedRow(label: "fewer columns than earlier rows", text: "1,2,0\n3,1\n", line: 2, reason: "1 features where earlier rows have 2"),
        MalformedRow(label: "more columns than earlier rows", text: "1,2,0\n\n3,4,5,1\n", line: 3, reason: "3 features where earlier rows have 2"),
        MalformedRow(label: "a single field", text: "1,2,0\n7\n", line: 2, reason: "found 1 field"),
        MalformedRow(label: "a single-column file", text: "7\n", line: 1, reason: "found 1 field"),
        MalformedRow(label: "a bad row after a header", text: "a,b,c\n1,2,0\n\n1,oops,0\n", line: 4, reason: "column 2"),
        MalformedRow(label: "a second header", text: "a,b,c\n1,2,0\na,b,c\n", line: 3, reason: "column 1"),
    ]

    @Test("a malformed row is reported with the file path and its 1-based line number", arguments: malformedRows)
    func malformedRow(_ row: MalformedRow) throws {
        let (path, error) = try Self.loadError(Array(row.text.utf8))
        guard case let .malformedRow(errorPath, line, reason) = error else {
            Issue.record("expected malformedRow, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(line == row.line)
        #expect(reason.contains(row.reason), "reason: \(reason)")
        #expect(error?.description.hasPrefix("\(path):\(row.line): ") == true, "\(String(describing: error))")
    }

    @Test("a file with no data rows is rejected with its path", arguments: ["", "\n\n  \n", "x,y,label\n", "x,y,label\n\n"])
    func noRows(_ text: String) throws {
        let (path, error) = try Self.loadError(Array(text.utf8))
        guard case let .unreadable(errorPath, reason) = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(reason == "no data rows")
        #expect(error?.description.contains(path) == true)
    }

    @Test("a gzip stream with no data rows is rejected like an empty file")
    func emptyGzip() throws {
        let (path, error) = try Self.loadError(GzipFixtures.stored([]), name: "empty.csv.gz")
        guard case let .unreadable(errorPath, reason) = error else {
            Issue.record("expected unreadable, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path && reason == "no data rows")
    }

    // MARK: - Unreadable files

    @Test("a missing file is reported with its path")
    func missingFile() throws {
        try TemporaryDirectory.with { directory in
            let path = directory.path("absent.csv")
            let error = #expect(throws: DataFileError.self) { try LabelledCSV.load(path: path) }
            guard case let .unreadable(errorPath, reason) = error else {
                Issue.record("expected unreadable, got \(String(describing: error))")
                return
            }
            #expect(errorPath == path)
            #expect(!reason.isEmpty)
            #expect(error?.description.hasPrefix("cannot read \(path): ") == true)
        }
    }

    @Test("non-UTF-8 content is reported with the path, plain or compressed")
    func notUTF8() throws {
        let latin1: [UInt8] = Array("1,2,0\n3,4,".utf8) + [0xE9, 0x0A]  // "é" in ISO 8859-1
        for (bytes, name) in [(latin1, "latin1.csv"), (GzipFixtures.stored(latin1), "latin1.csv.gz")] {
            let (path, error) = try Self.loadError(bytes, name: name)
            guard case let .unreadable(errorPath, reason) = error else {
                Issue.record("expected unreadable, got \(String(describing: error))")
                continue
            }
            #expect(errorPath == path)
            #expect(reason == "not UTF-8 text")
            #expect(error?.description == "cannot read \(path): not UTF-8 text")
        }
    }

    @Test("a corrupt or truncated gzip stream is reported with the path", arguments: [
        ("a truncated deflate stream", Array(GzipFixtures.twoRows.prefix(16))),
        ("a missing trailer", Array(GzipFixtures.twoRows.dropLast(8))),
        ("only the magic number", [0x1f, 0x8b]),
        ("an invalid block type", Array(GzipFixtures.twoRows.prefix(10)) + [0xff] + GzipFixtures.twoRows.dropFirst(11)),
        ("a wrong CRC", Array(GzipFixtures.twoRows.dropLast(8)) + [0, 0, 0, 0] + GzipFixtures.twoRows.suffix(4)),
    ] as [(String, [UInt8])])
    func corruptGzip(_ label: String, _ bytes: [UInt8]) throws {
        let (path, error) = try Self.loadError(bytes, name: "data.csv.gz")
        guard case let .corruptGzip(errorPath, reason) = error else {
            Issue.record("\(label): expected corruptGzip, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(!reason.isEmpty)
        #expect(error?.description.hasPrefix("\(path) is not a valid gzip file: ") == true)
    }
}
