import Foundation
import GRDB
import SkillCore
import SkillStore

struct SQLiteMeta: MetaStore {
    let db: Database

    func value(_ key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key])
    }

    func insertValue(_ value: String, for key: String) throws {
        try db.run("INSERT INTO meta(key, value) VALUES (?, ?)", [key, value])
    }

    func standardsFiles() throws -> [StandardsFile] {
        try Row.fetchAll(db, sql: "SELECT name, data, schema FROM standards_files ORDER BY name").map {
            StandardsFile(name: $0["name"], data: $0.bytes("data"), schema: $0.bytes("schema"))
        }
    }

    func insertStandardsFile(_ file: StandardsFile, sha256: String) throws {
        try db.run("INSERT INTO standards_files(name, data, schema, sha256) VALUES (?, ?, ?, ?)", [file.name, Data(file.data), Data(file.schema), sha256])
    }
}
