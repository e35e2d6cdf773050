import Foundation
import SkillCore
import SkillStore

/// One unit of work on a PostgreSQL connection: each aggregate's store is a thin view of it.
final class PostgresTransaction: StoreTransaction {
    let session: PostgresSession
    /// Account ids looked up in this unit of work (see `SQLiteTransaction.accountIDs`).
    var accountIDs: [AccountKey: Int] = [:]

    init(_ session: PostgresSession) { self.session = session }

    var meta: any MetaStore { PostgresMeta(db: session) }
    var institutions: any InstitutionStore { PostgresInstitutions(db: session) }
    var keys: any KeyStore { PostgresKeys(db: session) }
    var people: any PersonStore { PostgresPeople(db: session) }
    var training: any TrainingStore { PostgresTraining(db: session) }
    var credits: any CreditStore { PostgresCredits(transaction: self) }
    var assessments: any AssessmentStore { PostgresAssessments(db: session) }
    var certificates: any CertificateStore { PostgresCertificates(db: session) }
    var statusLists: any StatusListStore { PostgresStatusLists(db: session) }
    var conversions: any ConversionStore { PostgresConversions(db: session) }
    var tokens: any TokenStore { PostgresTokens(db: session) }
    var log: any EventLogStore { PostgresEventLog(db: session) }
    var tables: any TableStore { PostgresTables(db: session) }
    var statements: any SQLStatements { session }

    func nested<T>(_ body: () throws -> T) throws -> T {
        session.savepoints += 1
        let name = "unit_\(session.savepoints)"
        defer { session.savepoints -= 1 }
        try session.run("SAVEPOINT \(name)")
        do {
            let result = try body()
            try session.run("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            accountIDs.removeAll()
            try session.run("ROLLBACK TO SAVEPOINT \(name)")
            try session.run("RELEASE SAVEPOINT \(name)")
            throw error
        }
    }
}
