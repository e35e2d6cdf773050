import SkillCore

/// The bank's own settings (fixed at creation: base URL, log origin, the secret's check) and
/// the Standards files it was made with.
public protocol MetaStore {
    /// The value of a setting, or nil when it was never set.
    func value(_ key: String) throws -> String?
    /// Sets a setting that is not set yet.
    func insertValue(_ value: String, for key: String) throws
    /// The Standards files as loaded into the bank.
    func standardsFiles() throws -> [StandardsFile]
    /// Keeps a Standards file with its SHA-256 (hex).
    func insertStandardsFile(_ file: StandardsFile, sha256: String) throws
}
