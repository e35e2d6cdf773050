import SkillCore

/// A stored value as every store keeps it: the ledger's columns are integers, text, bytes or null
/// on every store, so a row read from one store writes unchanged into another.
public enum StoreValue: Sendable, Hashable {
    case null
    case int(Int)
    case text(String)
    case bytes([UInt8])
}

/// A table of the ledger as the row copier sees it: its columns, in the order rows carry them,
/// and the key that orders its rows.
public struct StoreTable: Sendable, Hashable {
    public let name: String
    public let columns: [String]
    public let orderBy: String

    public init(_ name: String, _ columns: [String], orderBy: String) {
        self.name = name
        self.columns = columns
        self.orderBy = orderBy
    }

    /// Every table of the ledger, parents before the rows that name them. Tables a store derives
    /// from these (look-up tables, counters) are not listed: the store rebuilds them
    /// (`TableStore.finishCopy()`).
    public static let ledger: [StoreTable] = [
        StoreTable("meta", ["key", "value"], orderBy: "key"),
        StoreTable("standards_files", ["name", "data", "schema", "sha256"], orderBy: "name"),
        StoreTable("events", ["seq", "id", "type", "occurred_at", "actor", "canonical", "salt", "commitment", "person_id"], orderBy: "seq"),
        StoreTable("institutions", ["id", "name", "kind", "code", "province", "status", "registered_at", "event_id", "evaluator_code", "site_sequence"],
                   orderBy: "id"),
        StoreTable("accreditations", ["id", "institution_id", "occupation", "levels", "valid_from", "valid_until", "event_id"], orderBy: "id"),
        StoreTable("keys", ["id", "owner_id", "did", "public_key", "encrypted_pem", "valid_from", "valid_until", "event_id"], orderBy: "id"),
        StoreTable("people", ["id", "id_type", "id_index", "id_ciphertext", "id_masked", "name_index", "name_ciphertext", "name_masked",
                              "registered_at", "event_id", "erased_at"], orderBy: "id"),
        StoreTable("courses", ["id", "institution_id", "title", "occupation", "level", "hours", "framework", "credit_tenths", "starts_on", "ends_on",
                               "capacity", "event_id", "online"], orderBy: "id"),
        StoreTable("enrolments", ["id", "person_id", "course_id", "status", "enrolled_at", "closed_at", "event_id"], orderBy: "id"),
        StoreTable("accounts", ["id", "owner_kind", "owner_id", "kind", "occupation", "level"], orderBy: "id"),
        StoreTable("postings", ["id", "event_id", "from_account", "to_account", "amount_tenths", "reference", "person_id"], orderBy: "id"),
        StoreTable("assessments", ["id", "institution_id", "kind", "occupation", "level", "dual_mapping", "pass_mark", "scheduled_at", "event_id",
                                   "work_type"], orderBy: "id"),
        StoreTable("candidates", ["assessment_id", "person_id", "status", "theory", "practical", "recorded_at", "event_id"],
                   orderBy: "assessment_id, person_id"),
        StoreTable("certificates", ["id", "number", "kind", "institution_id", "person_id", "assessment_id", "occupation", "level", "issued_at",
                                    "valid_until", "twin_id", "key_id", "status", "revocation_index", "suspension_index", "salt_ciphertext",
                                    "credential", "event_id"], orderBy: "id"),
        StoreTable("certificate_serials", ["prefix", "last"], orderBy: "prefix"),
        StoreTable("status_lists", ["institution_id", "purpose", "credential", "updated_at"], orderBy: "institution_id, purpose"),
        StoreTable("conversions", ["id", "person_id", "rule_id", "rule_version", "family", "programme", "evidence", "amount_tenths", "posting_id",
                                   "event_id", "status", "reversal_reason", "reversal_event_id"], orderBy: "id"),
        StoreTable("tokens", ["id", "sha256", "role", "institution_id", "person_id", "created_at", "expires_at", "revoked_at", "event_id"],
                   orderBy: "id"),
        StoreTable("idempotency", ["token_id", "key", "request", "status", "body", "created_at"], orderBy: "token_id, key"),
        StoreTable("log_nodes", ["level", "idx", "hash"], orderBy: "level, idx"),
        StoreTable("checkpoints", ["size", "root", "note", "created_at"], orderBy: "size"),
        StoreTable("certificate_shares", ["id", "certificate_id", "sha256", "created_at", "expires_at", "event_id"], orderBy: "id"),
        StoreTable("insurance_records", ["id_index", "months", "receives_benefit", "as_of", "event_id"], orderBy: "id_index"),
        StoreTable("payment_batches", ["id", "created_at", "claims", "total_fen", "sha256", "event_id"], orderBy: "id"),
        StoreTable("subsidy_claims", ["id", "programme", "person_id", "payee", "evidence", "occupation", "level", "amount_fen", "status", "applied_on",
                                      "applied_at", "decided_at", "reason", "batch_id", "decision", "event_id", "last_event_id"], orderBy: "id"),
        StoreTable("subsidy_postings", ["id", "claim_id", "from_account", "to_account", "amount_fen", "event_id"], orderBy: "id"),
        StoreTable("notices", ["id", "person_id", "kind", "key", "facts", "created_at", "read_at", "event_id"], orderBy: "id"),
        StoreTable("webhooks", ["id", "institution_id", "url", "event_types", "secret_ciphertext", "created_at", "disabled_at", "event_id", "disabled_event_id"],
                   orderBy: "id"),
        StoreTable("talent_profiles", ["person_id", "certificates", "district", "areas", "shares_bundles", "contact_ciphertext", "opted_in_at", "opted_out_at",
                                       "event_id"], orderBy: "person_id"),
        StoreTable("vacancies", ["id", "institution_id", "title", "occupation", "min_level", "district", "count", "created_at", "closed_at", "event_id",
                                 "closed_event_id"], orderBy: "id"),
        StoreTable("contact_requests", ["id", "institution_id", "person_id", "vacancy_id", "message", "status", "created_at", "answered_at",
                                        "shared_certificates", "shares_contact", "event_id", "last_event_id"], orderBy: "id"),
        StoreTable("disclosures", ["id", "person_id", "institution_id", "kind", "reference", "at"], orderBy: "id"),
        StoreTable("signin_links", ["sha256", "person_id", "created_at", "expires_at", "used_at", "event_id"], orderBy: "sha256"),
        StoreTable("sessions", ["sha256", "person_id", "csrf", "created_at", "expires_at", "revoked_at", "event_id"], orderBy: "sha256"),
        StoreTable("webhook_messages", ["id", "webhook_id", "event_id", "event_type", "payload", "created_at", "status", "attempts", "next_attempt_at",
                                        "leased_until", "last_error", "delivered_at"], orderBy: "id"),
    ]
}

/// The ledger's rows, a table at a time: what moves a bank from one store to another.
public protocol TableStore {
    /// How many rows the table holds.
    func count(_ table: StoreTable) throws -> Int
    /// Calls `body` with the table's rows in key order, `batch` at a time, each row's values in
    /// the order of `table.columns`.
    func forEachBatch(of table: StoreTable, batch: Int, _ body: ([[StoreValue]]) throws -> Void) throws
    /// Writes rows read from another store, as they are.
    func insert(_ rows: [[StoreValue]], into table: StoreTable) throws
    /// After a copy: rebuilds what the store derives from the copied rows (look-up tables, id
    /// counters), so the next write continues where the source stopped.
    func finishCopy() throws
}

extension StoreTable {
    /// Copies every ledger table from one unit of work into another, whose store must hold no
    /// ledger rows yet, then has the target rebuild what it derives and checks every table
    /// landed whole.
    /// - Parameters:
    ///   - progress: called after each batch with the table, rows copied and rows in all.
    /// - Returns: rows copied, by table, in copy order.
    /// - Throws: `input.usage` (field `--to`) when the target has rows, `backup.invalid` when a
    ///   table did not land whole, `store.*`.
    public static func copyLedger(
        from source: any StoreTransaction, to target: any StoreTransaction, batch: Int, progress: (String, Int, Int) -> Void
    ) throws -> [(name: String, rows: Int)] {
        for table in ledger where try target.tables.count(table) > 0 {
            throw SkillError(.usage, "the target store is not empty (\(table.name) has rows): copy into a new database", field: "--to")
        }
        var copied: [(name: String, rows: Int)] = []
        for table in ledger {
            let total = try source.tables.count(table)
            var done = 0
            try source.tables.forEachBatch(of: table, batch: batch) { rows in
                try target.tables.insert(rows, into: table)
                done += rows.count
                progress(table.name, done, total)
            }
            if total == 0 { progress(table.name, 0, 0) }
            copied.append((table.name, done))
        }
        try target.tables.finishCopy()
        for (table, rows) in zip(ledger, copied) {
            let landed = try target.tables.count(table)
            guard landed == rows.rows else {
                throw SkillError(.backupInvalid, "the copy differs from the source: \(table.name) has \(rows.rows) rows read and \(landed) written",
                                 field: "--to")
            }
        }
        return copied
    }
}
