import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SkillCore
import SkillCredentials

/// Where published log tiles are read from: a directory, or the base URL of a mirror
/// (`http://` or `https://`, the same layout under it).
enum TileSource {
    /// A reader of paths under `location` (`checkpoint`, `tile/0/000`).
    static func reader(_ location: String) -> (String) throws(SkillError) -> [UInt8] {
        guard let base = URL(string: location), base.scheme == "http" || base.scheme == "https" else { return LogTiles.directoryReader(location) }
        return { path throws(SkillError) in try fetch(base.appendingPathComponent(path)) }
    }

    /// GETs one file; anything but 200 is `input.file-unreadable` naming the URL.
    static func fetch(_ url: URL) throws(SkillError) -> [UInt8] {
        final class Box: @unchecked Sendable { var result: Result<[UInt8], SkillError>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        URLSession.shared.dataTask(with: request) { data, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode
            if let data, status == 200 {
                box.result = .success(Array(data))
            } else {
                let why = error.map { "\($0.localizedDescription)" } ?? "HTTP \(status.map(String.init) ?? "?")"
                box.result = .failure(SkillError(.fileUnreadable, "the mirror did not serve the file (\(why))", field: url.absoluteString))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result!.get()
    }
}
