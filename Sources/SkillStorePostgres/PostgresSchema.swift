import Foundation
import SkillCore
import SkillStore

/// The ledger's tables on PostgreSQL, as versioned migrations applied under an advisory lock (so
/// several processes starting at once migrate once). Never edit a shipped migration; add one.
///
/// The columns are the SQLite file's (BIGINT, TEXT and BYTEA only, flags as 0/1), so one row
/// copier moves a bank either way. The layout is Citus's (see `citus.sql`):
/// - tables a worker owns (people, enrolments, candidates, accounts of people, postings,
///   certificates, conversions) carry the person's id as their distribution column and in every
///   primary key and unique constraint;
/// - institutions, their scopes, keys, courses, assessments, serial counters and status lists
///   are small reference tables;
/// - the event log, its nodes and checkpoints, tokens and shares stay on the coordinator: the log is one
///   sequence by design;
/// - two look-up tables route a blind index or a certificate's number or id to its person's
///   shard and keep them unique across shards (`person_index`, `certificate_keys`), derived from the
///   person-owned rows and rebuilt after a copy.
/// Foreign keys are declared only where Citus keeps them (to reference tables, or between
/// co-located tables through the person's id); rows name their event by id, which `check` audits.
enum PostgresSchema {
    static let migrations: [(version: String, statements: [String])] = [
        ("v1-ledger", [
            """
            CREATE TABLE store_version (n BIGINT NOT NULL)
            """,
            "INSERT INTO store_version VALUES (0)",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE standards_files (name TEXT PRIMARY KEY, data BYTEA NOT NULL, schema BYTEA NOT NULL, sha256 TEXT NOT NULL)",
            """
            CREATE TABLE events (
                seq BIGINT PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                occurred_at TEXT NOT NULL,
                actor TEXT NOT NULL,
                canonical BYTEA NOT NULL,
                salt BYTEA,
                commitment BYTEA,
                person_id TEXT
            )
            """,
            "CREATE INDEX events_by_person ON events(person_id) WHERE person_id IS NOT NULL",
            // Append-only: the one change an event takes is its person's erasure, which drops the
            // body and the salt and keeps (or, for an old event, sets) the commitment.
            """
            CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.type = OLD.type
                   AND NEW.occurred_at = OLD.occurred_at AND NEW.actor = OLD.actor AND NEW.person_id IS NOT DISTINCT FROM OLD.person_id
                   AND length(NEW.canonical) = 0 AND NEW.salt IS NULL AND NEW.commitment IS NOT NULL
                   AND (OLD.commitment IS NULL OR NEW.commitment = OLD.commitment) THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'events are append-only';
            END $$
            """,
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only()",
            """
            CREATE TABLE institutions (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('training', 'employer', 'social', 'international')),
                code TEXT NOT NULL UNIQUE,
                province TEXT,
                status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
                registered_at TEXT NOT NULL,
                event_id TEXT NOT NULL,
                evaluator_code TEXT NOT NULL DEFAULT '0000',
                site_sequence TEXT NOT NULL DEFAULT '000001'
            )
            """,
            """
            CREATE TABLE accreditations (
                id TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions(id),
                occupation TEXT NOT NULL,
                levels TEXT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_until TEXT,
                event_id TEXT NOT NULL
            )
            """,
            "CREATE INDEX accreditations_by_institution ON accreditations(institution_id, occupation)",
            """
            CREATE TABLE keys (
                id TEXT PRIMARY KEY,
                owner_id TEXT NOT NULL,
                did TEXT NOT NULL UNIQUE,
                public_key BYTEA NOT NULL,
                encrypted_pem TEXT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_until TEXT,
                event_id TEXT NOT NULL
            )
            """,
            "CREATE INDEX keys_by_owner ON keys(owner_id, valid_from)",
            // Personal data only as blind indexes (HMAC-SHA256), ciphertext (AES-256-GCM) and masks.
            """
            CREATE TABLE people (
                id TEXT PRIMARY KEY,
                id_type TEXT NOT NULL,
                id_index BYTEA NOT NULL,
                id_ciphertext BYTEA NOT NULL,
                id_masked TEXT NOT NULL,
                name_index BYTEA NOT NULL,
                name_ciphertext BYTEA NOT NULL,
                name_masked TEXT NOT NULL,
                registered_at TEXT NOT NULL,
                event_id TEXT NOT NULL,
                erased_at TEXT
            )
            """,
            "CREATE INDEX people_by_name ON people(name_index)",
            // One person per identity document across every shard, and the shard to ask.
            "CREATE TABLE person_index (id_index BYTEA PRIMARY KEY, person_id TEXT NOT NULL)",
            """
            CREATE TABLE courses (
                id TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions(id),
                title TEXT NOT NULL,
                occupation TEXT NOT NULL,
                level BIGINT NOT NULL,
                hours BIGINT NOT NULL CHECK (hours > 0),
                framework TEXT NOT NULL,
                credit_tenths BIGINT NOT NULL CHECK (credit_tenths >= 0),
                starts_on TEXT NOT NULL,
                ends_on TEXT,
                capacity BIGINT CHECK (capacity IS NULL OR capacity > 0),
                event_id TEXT NOT NULL,
                online BIGINT NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX courses_by_institution ON courses(institution_id)",
            """
            CREATE TABLE enrolments (
                id TEXT NOT NULL,
                person_id TEXT NOT NULL REFERENCES people(id),
                course_id TEXT NOT NULL REFERENCES courses(id),
                status TEXT NOT NULL CHECK (status IN ('enrolled', 'completed', 'failed', 'withdrawn')),
                enrolled_at TEXT NOT NULL,
                closed_at TEXT,
                event_id TEXT NOT NULL,
                PRIMARY KEY (person_id, id),
                UNIQUE (person_id, course_id)
            )
            """,
            "CREATE INDEX enrolments_by_id ON enrolments(id)",
            "CREATE INDEX enrolments_by_course ON enrolments(course_id, status)",
            // Double-entry credit ledger in integer tenths of a credit; accounts live with their owner.
            """
            CREATE TABLE accounts (
                id BIGINT GENERATED BY DEFAULT AS IDENTITY,
                owner_kind TEXT NOT NULL CHECK (owner_kind IN ('person', 'institution', 'registry')),
                owner_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                occupation TEXT NOT NULL DEFAULT '',
                level BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (owner_id, id),
                UNIQUE (owner_id, owner_kind, kind, occupation, level)
            )
            """,
            "CREATE INDEX accounts_by_id ON accounts(id)",
            """
            CREATE TABLE postings (
                id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                from_account BIGINT NOT NULL,
                to_account BIGINT NOT NULL,
                amount_tenths BIGINT NOT NULL CHECK (amount_tenths > 0),
                reference TEXT NOT NULL,
                person_id TEXT NOT NULL,
                CHECK (from_account <> to_account),
                PRIMARY KEY (person_id, id)
            )
            """,
            "CREATE INDEX postings_from ON postings(from_account)",
            "CREATE INDEX postings_to ON postings(to_account)",
            "CREATE INDEX postings_by_reference ON postings(reference)",
            """
            CREATE FUNCTION postings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'postings are append-only; post a compensating entry';
            END $$
            """,
            "CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings FOR EACH ROW EXECUTE FUNCTION postings_append_only()",
            """
            CREATE TABLE assessments (
                id TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL REFERENCES institutions(id),
                kind TEXT NOT NULL CHECK (kind IN ('skill', 'special')),
                occupation TEXT NOT NULL,
                level BIGINT,
                dual_mapping TEXT,
                pass_mark BIGINT NOT NULL,
                scheduled_at TEXT NOT NULL,
                event_id TEXT NOT NULL,
                work_type TEXT,
                CHECK ((kind = 'skill') = (level IS NOT NULL))
            )
            """,
            """
            CREATE TABLE candidates (
                assessment_id TEXT NOT NULL REFERENCES assessments(id),
                person_id TEXT NOT NULL REFERENCES people(id),
                status TEXT NOT NULL CHECK (status IN ('enrolled', 'passed', 'failed')),
                theory BIGINT,
                practical BIGINT,
                recorded_at TEXT,
                event_id TEXT NOT NULL,
                PRIMARY KEY (person_id, assessment_id)
            )
            """,
            """
            CREATE TABLE certificates (
                id TEXT NOT NULL,
                number TEXT NOT NULL,
                kind TEXT NOT NULL,
                institution_id TEXT NOT NULL REFERENCES institutions(id),
                person_id TEXT NOT NULL REFERENCES people(id),
                assessment_id TEXT REFERENCES assessments(id),
                occupation TEXT NOT NULL,
                level BIGINT,
                issued_at TEXT NOT NULL,
                valid_until TEXT,
                twin_id TEXT,
                key_id TEXT NOT NULL REFERENCES keys(id),
                status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
                revocation_index BIGINT NOT NULL,
                suspension_index BIGINT NOT NULL,
                salt_ciphertext BYTEA NOT NULL,
                credential BYTEA NOT NULL,
                event_id TEXT NOT NULL,
                PRIMARY KEY (person_id, id),
                UNIQUE (person_id, number)
            )
            """,
            "CREATE INDEX certificates_by_status_index ON certificates(institution_id, revocation_index)",
            "CREATE INDEX certificates_by_suspension_index ON certificates(institution_id, suspension_index)",
            // A certificate's id and number, each unique across every shard, and whose it is.
            "CREATE TABLE certificate_keys (key TEXT PRIMARY KEY, person_id TEXT NOT NULL)",
            "CREATE TABLE certificate_serials (prefix TEXT PRIMARY KEY, last BIGINT NOT NULL)",
            """
            CREATE TABLE status_lists (
                institution_id TEXT NOT NULL REFERENCES institutions(id),
                purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
                credential BYTEA NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (institution_id, purpose)
            )
            """,
            """
            CREATE TABLE conversions (
                id TEXT NOT NULL,
                person_id TEXT NOT NULL REFERENCES people(id),
                rule_id TEXT NOT NULL,
                rule_version BIGINT NOT NULL,
                family TEXT NOT NULL,
                programme TEXT NOT NULL,
                evidence TEXT NOT NULL,
                amount_tenths BIGINT NOT NULL CHECK (amount_tenths > 0),
                posting_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'reversed')),
                reversal_reason TEXT,
                reversal_event_id TEXT,
                PRIMARY KEY (person_id, id),
                FOREIGN KEY (person_id, posting_id) REFERENCES postings(person_id, id)
            )
            """,
            // Evidence is the person's own certificate, so (person, programme, evidence) is unique
            // exactly where (programme, evidence) is.
            "CREATE UNIQUE INDEX conversions_once ON conversions(person_id, programme, evidence) WHERE status = 'active'",
            "CREATE INDEX conversions_by_id ON conversions(id)",
            "CREATE INDEX conversions_by_evidence ON conversions(evidence)",
            """
            CREATE TABLE tokens (
                id TEXT PRIMARY KEY,
                sha256 TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('operator', 'institution', 'worker')),
                institution_id TEXT REFERENCES institutions(id),
                person_id TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT,
                revoked_at TEXT,
                event_id TEXT NOT NULL,
                CHECK ((role = 'institution') = (institution_id IS NOT NULL)),
                CHECK ((role = 'worker') = (person_id IS NOT NULL))
            )
            """,
            "CREATE INDEX tokens_by_person ON tokens(person_id) WHERE person_id IS NOT NULL",
            """
            CREATE TABLE idempotency (
                token_id TEXT NOT NULL,
                key TEXT NOT NULL,
                request TEXT NOT NULL,
                status BIGINT NOT NULL,
                body BYTEA NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (token_id, key)
            )
            """,
            "CREATE TABLE log_nodes (level BIGINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx))",
            "CREATE TABLE checkpoints (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, note TEXT NOT NULL, created_at TEXT NOT NULL)",
            """
            CREATE TABLE certificate_shares (
                id TEXT PRIMARY KEY,
                certificate_id TEXT NOT NULL,
                sha256 TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                event_id TEXT NOT NULL
            )
            """,
        ]),
        // Certificates since the Open Badges 3.0 schema work carry one 2-bit `message` status entry.
        ("v2-status-message", [
            "ALTER TABLE status_lists DROP CONSTRAINT status_lists_purpose_check",
            "ALTER TABLE status_lists ADD CONSTRAINT status_lists_purpose_check CHECK (purpose IN ('revocation', 'suspension', 'message'))",
        ]),
        // Subsidies (补贴): insurance figures by blind index only, claims, their ledger in fen
        // (append-only, refused by the postings' trigger), and payment batches. On Citus they
        // stay on the coordinator with the log: a claim is decided against caps that span a
        // worker's claims and a payment batch spans every worker.
        ("v3-subsidies", [
            """
            CREATE TABLE insurance_records (
                id_index BYTEA PRIMARY KEY,
                months BIGINT NOT NULL CHECK (months >= 0),
                receives_benefit BIGINT NOT NULL CHECK (receives_benefit IN (0, 1)),
                as_of TEXT NOT NULL,
                event_id TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE payment_batches (
                id TEXT PRIMARY KEY, created_at TEXT NOT NULL, claims BIGINT NOT NULL, total_fen BIGINT NOT NULL, sha256 TEXT NOT NULL,
                event_id TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE subsidy_claims (
                id TEXT PRIMARY KEY,
                programme TEXT NOT NULL,
                person_id TEXT NOT NULL,
                payee TEXT NOT NULL,
                evidence TEXT NOT NULL,
                occupation TEXT NOT NULL,
                level BIGINT NOT NULL,
                amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
                status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'paid', 'cancelled', 'recovery-due')),
                applied_on TEXT NOT NULL,
                applied_at TEXT NOT NULL,
                decided_at TEXT,
                reason TEXT,
                batch_id TEXT REFERENCES payment_batches(id),
                decision TEXT NOT NULL,
                event_id TEXT NOT NULL,
                last_event_id TEXT
            )
            """,
            "CREATE INDEX subsidy_claims_by_person ON subsidy_claims(person_id)",
            "CREATE INDEX subsidy_claims_by_evidence ON subsidy_claims(evidence)",
            "CREATE INDEX subsidy_claims_by_status ON subsidy_claims(status, id)",
            """
            CREATE TABLE subsidy_postings (
                id TEXT PRIMARY KEY,
                claim_id TEXT NOT NULL REFERENCES subsidy_claims(id),
                from_account TEXT NOT NULL,
                to_account TEXT NOT NULL,
                amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
                event_id TEXT NOT NULL
            )
            """,
            "CREATE INDEX subsidy_postings_by_claim ON subsidy_postings(claim_id)",
            "CREATE TRIGGER subsidy_postings_append_only BEFORE UPDATE OR DELETE ON subsidy_postings FOR EACH ROW EXECUTE FUNCTION postings_append_only()",
        ]),
        // Workers' inboxes (政策推送): ids and figures only, one notice per key per worker.
        // Distributed by person_id on Citus, like the rest of a worker's records.
        ("v4-notices", [
            """
            CREATE TABLE notices (
                id TEXT NOT NULL,
                person_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                key TEXT NOT NULL,
                facts TEXT NOT NULL,
                created_at TEXT NOT NULL,
                read_at TEXT,
                event_id TEXT NOT NULL,
                PRIMARY KEY (person_id, id),
                UNIQUE (person_id, key)
            )
            """,
        ]),
        // Webhook subscriptions (the secret sealed by the vault) and the transactional outbox: a
        // message is written with its event and its payload never changes (a trigger refuses it).
        // On Citus both stay on the coordinator with the log they are fed from.
        ("v5-webhooks", [
            """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL,
                url TEXT NOT NULL,
                event_types TEXT NOT NULL,
                secret_ciphertext BYTEA NOT NULL,
                created_at TEXT NOT NULL,
                disabled_at TEXT,
                event_id TEXT NOT NULL,
                disabled_event_id TEXT
            )
            """,
            "CREATE INDEX webhooks_by_institution ON webhooks(institution_id)",
            """
            CREATE TABLE webhook_messages (
                id TEXT PRIMARY KEY,
                webhook_id TEXT NOT NULL REFERENCES webhooks(id),
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
                attempts BIGINT NOT NULL CHECK (attempts >= 0),
                next_attempt_at BIGINT NOT NULL,
                leased_until BIGINT,
                last_error TEXT,
                delivered_at TEXT
            )
            """,
            "CREATE INDEX webhook_messages_due ON webhook_messages(status, next_attempt_at)",
            "CREATE INDEX webhook_messages_by_webhook ON webhook_messages(webhook_id, id)",
            """
            CREATE FUNCTION webhook_messages_payload_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.id <> OLD.id OR NEW.payload <> OLD.payload OR NEW.event_id <> OLD.event_id OR NEW.webhook_id <> OLD.webhook_id THEN
                    RAISE EXCEPTION 'a webhook message keeps its id and payload on every attempt';
                END IF;
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER webhook_messages_payload_fixed BEFORE UPDATE ON webhook_messages FOR EACH ROW EXECUTE FUNCTION webhook_messages_payload_fixed()",
        ]),
        // The talent pool (人才储备): consent with what the worker shows (the contact channel
        // sealed), vacancies, contact requests and the worker's disclosure log. A worker's
        // profile, requests and log are distributed by person_id on Citus; vacancies are few and
        // read by every search (a reference table).
        ("v6-talent-pool", [
            """
            CREATE TABLE talent_profiles (
                person_id TEXT PRIMARY KEY,
                certificates TEXT NOT NULL,
                district TEXT,
                areas TEXT NOT NULL,
                shares_bundles BIGINT NOT NULL CHECK (shares_bundles IN (0, 1)),
                contact_ciphertext BYTEA,
                opted_in_at TEXT NOT NULL,
                opted_out_at TEXT,
                event_id TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE vacancies (
                id TEXT PRIMARY KEY,
                institution_id TEXT NOT NULL,
                title TEXT NOT NULL,
                occupation TEXT NOT NULL,
                min_level BIGINT NOT NULL CHECK (min_level BETWEEN 1 AND 5),
                district TEXT NOT NULL,
                count BIGINT NOT NULL CHECK (count > 0),
                created_at TEXT NOT NULL,
                closed_at TEXT,
                event_id TEXT NOT NULL,
                closed_event_id TEXT
            )
            """,
            "CREATE INDEX vacancies_by_institution ON vacancies(institution_id, id)",
            """
            CREATE TABLE contact_requests (
                id TEXT NOT NULL,
                institution_id TEXT NOT NULL,
                person_id TEXT NOT NULL,
                vacancy_id TEXT,
                message TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
                created_at TEXT NOT NULL,
                answered_at TEXT,
                shared_certificates TEXT NOT NULL,
                shares_contact BIGINT NOT NULL CHECK (shares_contact IN (0, 1)),
                event_id TEXT NOT NULL,
                last_event_id TEXT,
                PRIMARY KEY (person_id, id)
            )
            """,
            "CREATE INDEX contact_requests_by_id ON contact_requests(id)",
            "CREATE INDEX contact_requests_by_institution ON contact_requests(institution_id, id)",
            """
            CREATE TABLE disclosures (
                id TEXT NOT NULL,
                person_id TEXT NOT NULL,
                institution_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('listed', 'contact-requested', 'shared')),
                reference TEXT,
                at TEXT NOT NULL,
                PRIMARY KEY (person_id, id)
            )
            """,
        ]),
        // One-time sign-in links and the sessions of workers' pages: SHA-256s of the secrets
        // only. On Citus they stay on the coordinator with tokens (looked up by hash, not by worker).
        ("v7-worker-sessions", [
            """
            CREATE TABLE signin_links (
                sha256 TEXT PRIMARY KEY, person_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT, event_id TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE sessions (
                sha256 TEXT PRIMARY KEY, person_id TEXT NOT NULL, csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
                revoked_at TEXT, event_id TEXT NOT NULL
            )
            """,
            "CREATE INDEX sessions_by_person ON sessions(person_id)",
        ]),
    ]

    /// The advisory lock migrations hold ("SkMg").
    static let migrationLock = 0x536B_4D67

    /// Applies the migrations this database lacks, under the migration lock.
    /// - Returns: whether the ledger's tables were created now (the database had none).
    static func migrate(_ db: PostgresSession) throws -> Bool {
        try db.run("BEGIN")
        do {
            try db.run("SELECT pg_advisory_xact_lock($1)", [migrationLock])
            try db.run("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            let applied = Set(try db.rows("SELECT version FROM schema_migrations").map { try $0.string(0) })
            let known = Set(migrations.map(\.version))
            if let unknown = applied.subtracting(known).sorted().first {
                throw SkillError(.storeFailure, "the database was migrated by a newer SkillBank (\(unknown)); upgrade this one")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements { try db.run(statement) }
                try db.run("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)",
                           [migration.version, ISO8601DateFormatter().string(from: Date())])
            }
            try db.run("COMMIT")
            return applied.isEmpty
        } catch {
            _ = try? db.run("ROLLBACK")
            throw error
        }
    }

    /// What PostgreSQL itself can say is wrong beyond what its constraints already refuse: the
    /// look-up tables must match the rows they route.
    static func integrityProblems(_ db: PostgresSession) throws -> [String] {
        var problems: [String] = []
        let strayPeople = try db.int("""
            SELECT count(*) FROM people p FULL JOIN person_index x ON x.id_index = p.id_index AND x.person_id = p.id
            WHERE p.id IS NULL OR x.person_id IS NULL
            """) ?? 0
        if strayPeople > 0 { problems.append("person_index disagrees with people on \(strayPeople) rows") }
        let strayCertificates = try db.int("""
            SELECT count(*) FROM (SELECT id AS key, person_id FROM certificates UNION ALL SELECT number, person_id FROM certificates) c
            FULL JOIN certificate_keys k ON k.key = c.key AND k.person_id = c.person_id WHERE c.key IS NULL OR k.key IS NULL
            """) ?? 0
        if strayCertificates > 0 { problems.append("certificate_keys disagrees with certificates on \(strayCertificates) rows") }
        return problems
    }
}
