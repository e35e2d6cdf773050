import Foundation
import GRDB

/// The ledger's tables, as versioned migrations. Never edit a shipped migration; add one.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

                CREATE TABLE standards_files (
                    name TEXT PRIMARY KEY, data BLOB NOT NULL, schema BLOB NOT NULL, sha256 TEXT NOT NULL
                ) STRICT;

                -- Every change, append-only; canonical is the RFC 8785 JCS form that the
                -- transparency log hashes.
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    occurred_at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    canonical BLOB NOT NULL
                ) STRICT;
                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

                CREATE TABLE institutions (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('training', 'employer', 'social', 'international')),
                    code TEXT NOT NULL UNIQUE,
                    province TEXT,
                    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
                    registered_at TEXT NOT NULL,
                    event_id TEXT NOT NULL REFERENCES events(id)
                ) STRICT;

                CREATE TABLE accreditations (
                    id TEXT PRIMARY KEY,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    occupation TEXT NOT NULL,
                    levels TEXT NOT NULL,
                    valid_from TEXT NOT NULL,
                    valid_until TEXT,
                    event_id TEXT NOT NULL REFERENCES events(id)
                ) STRICT;
                CREATE INDEX accreditations_by_institution ON accreditations(institution_id, occupation);

                -- Personal data only as blind indexes (HMAC-SHA256), ciphertext (AES-256-GCM)
                -- and masked display forms.
                CREATE TABLE people (
                    id TEXT PRIMARY KEY,
                    id_type TEXT NOT NULL,
                    id_index BLOB NOT NULL UNIQUE,
                    id_ciphertext BLOB NOT NULL,
                    id_masked TEXT NOT NULL,
                    name_index BLOB NOT NULL,
                    name_ciphertext BLOB NOT NULL,
                    name_masked TEXT NOT NULL,
                    registered_at TEXT NOT NULL,
                    event_id TEXT NOT NULL REFERENCES events(id)
                ) STRICT;
                CREATE INDEX people_by_name ON people(name_index);

                CREATE TABLE courses (
                    id TEXT PRIMARY KEY,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    title TEXT NOT NULL,
                    occupation TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    hours INTEGER NOT NULL CHECK (hours > 0),
                    framework TEXT NOT NULL,
                    credit_tenths INTEGER NOT NULL CHECK (credit_tenths >= 0),
                    starts_on TEXT NOT NULL,
                    ends_on TEXT,
                    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
                    event_id TEXT NOT NULL REFERENCES events(id)
                ) STRICT;
                CREATE INDEX courses_by_institution ON courses(institution_id);

                CREATE TABLE enrolments (
                    id TEXT PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    course_id TEXT NOT NULL REFERENCES courses(id),
                    status TEXT NOT NULL CHECK (status IN ('enrolled', 'completed', 'failed', 'withdrawn')),
                    enrolled_at TEXT NOT NULL,
                    closed_at TEXT,
                    event_id TEXT NOT NULL REFERENCES events(id),
                    UNIQUE (person_id, course_id)
                ) STRICT;
                CREATE INDEX enrolments_by_course ON enrolments(course_id, status);

                -- Double-entry credit ledger in integer tenths of a credit.
                CREATE TABLE accounts (
                    id INTEGER PRIMARY KEY,
                    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('person', 'institution', 'registry')),
                    owner_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    occupation TEXT NOT NULL DEFAULT '',
                    level INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (owner_kind, owner_id, kind, occupation, level)
                ) STRICT;
                CREATE INDEX accounts_by_owner ON accounts(owner_id);

                CREATE TABLE postings (
                    id TEXT PRIMARY KEY,
                    event_id TEXT NOT NULL REFERENCES events(id),
                    from_account INTEGER NOT NULL REFERENCES accounts(id),
                    to_account INTEGER NOT NULL REFERENCES accounts(id),
                    amount_tenths INTEGER NOT NULL CHECK (amount_tenths > 0),
                    reference TEXT NOT NULL,
                    CHECK (from_account <> to_account)
                ) STRICT;
                CREATE INDEX postings_from ON postings(from_account);
                CREATE INDEX postings_to ON postings(to_account);
                CREATE INDEX postings_by_reference ON postings(reference);
                CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
                    BEGIN SELECT RAISE(ABORT, 'postings are append-only; post a compensating entry'); END;
                CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
                    BEGIN SELECT RAISE(ABORT, 'postings are append-only; post a compensating entry'); END;
                """)
        }
        m.registerMigration("v2-certificates") { db in
            try db.execute(sql: """
                -- 评价机构代码 (4 digits; 0000 = filed with a province) and 机构(站点)序列码 (6 digits),
                -- parts of the 2020 certificate number.
                ALTER TABLE institutions ADD COLUMN evaluator_code TEXT NOT NULL DEFAULT '0000';
                ALTER TABLE institutions ADD COLUMN site_sequence TEXT NOT NULL DEFAULT '000001';

                -- Ed25519 keys of the registry and of issuing institutions: public half in clear,
                -- private half only as passphrase-encrypted PKCS#8. valid_until is set on rotation.
                CREATE TABLE keys (
                    id TEXT PRIMARY KEY,
                    owner_id TEXT NOT NULL,
                    did TEXT NOT NULL UNIQUE,
                    public_key BLOB NOT NULL,
                    encrypted_pem TEXT NOT NULL,
                    valid_from TEXT NOT NULL,
                    valid_until TEXT,
                    event_id TEXT NOT NULL REFERENCES events(id)
                ) STRICT;
                CREATE INDEX keys_by_owner ON keys(owner_id, valid_from);

                CREATE TABLE assessments (
                    id TEXT PRIMARY KEY,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    kind TEXT NOT NULL CHECK (kind IN ('skill', 'special')),
                    occupation TEXT NOT NULL,
                    level INTEGER,
                    dual_mapping TEXT,
                    pass_mark INTEGER NOT NULL,
                    scheduled_at TEXT NOT NULL,
                    event_id TEXT NOT NULL REFERENCES events(id),
                    CHECK ((kind = 'skill') = (level IS NOT NULL))
                ) STRICT;

                CREATE TABLE candidates (
                    assessment_id TEXT NOT NULL REFERENCES assessments(id),
                    person_id TEXT NOT NULL REFERENCES people(id),
                    status TEXT NOT NULL CHECK (status IN ('enrolled', 'passed', 'failed')),
                    theory INTEGER,
                    practical INTEGER,
                    recorded_at TEXT,
                    event_id TEXT NOT NULL REFERENCES events(id),
                    PRIMARY KEY (assessment_id, person_id)
                ) STRICT;

                -- Issued certificates. credential is the signed credential's canonical JSON; the
                -- identity salt (which lets the worker prove the hashed identifier is theirs) is
                -- kept encrypted like all personal data.
                CREATE TABLE certificates (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    person_id TEXT NOT NULL REFERENCES people(id),
                    assessment_id TEXT REFERENCES assessments(id),
                    occupation TEXT NOT NULL,
                    level INTEGER,
                    issued_at TEXT NOT NULL,
                    valid_until TEXT,
                    twin_id TEXT,
                    key_id TEXT NOT NULL REFERENCES keys(id),
                    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
                    revocation_index INTEGER NOT NULL,
                    suspension_index INTEGER NOT NULL,
                    salt_ciphertext BLOB NOT NULL,
                    credential BLOB NOT NULL,
                    event_id TEXT NOT NULL REFERENCES events(id),
                    UNIQUE (institution_id, revocation_index),
                    UNIQUE (institution_id, suspension_index)
                ) STRICT;
                CREATE INDEX certificates_by_person ON certificates(person_id);

                -- Serial counters of certificate numbers, per number prefix: never reused.
                CREATE TABLE certificate_serials (prefix TEXT PRIMARY KEY, last INTEGER NOT NULL) STRICT;

                -- The latest signed status list credential of each issuer and purpose.
                CREATE TABLE status_lists (
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
                    credential BLOB NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (institution_id, purpose)
                ) STRICT;
                """)
        }
        m.registerMigration("v3-work-types") { db in
            // 工种/职业方向 of an assessment ("--" on the certificate when none).
            try db.execute(sql: "ALTER TABLE assessments ADD COLUMN work_type TEXT")
        }
        m.registerMigration("v4-conversions") { db in
            try db.execute(sql: """
                -- Courses taught online (their certificates are capped separately when converted).
                ALTER TABLE courses ADD COLUMN online INTEGER NOT NULL DEFAULT 0;

                -- Applied conversions. A reversal marks the row and posts a compensating entry;
                -- the same evidence counts once per programme while active.
                CREATE TABLE conversions (
                    id TEXT PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    rule_id TEXT NOT NULL,
                    rule_version INTEGER NOT NULL,
                    family TEXT NOT NULL,
                    programme TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    amount_tenths INTEGER NOT NULL CHECK (amount_tenths > 0),
                    posting_id TEXT NOT NULL REFERENCES postings(id),
                    event_id TEXT NOT NULL REFERENCES events(id),
                    status TEXT NOT NULL CHECK (status IN ('active', 'reversed')),
                    reversal_reason TEXT,
                    reversal_event_id TEXT REFERENCES events(id)
                ) STRICT;
                CREATE UNIQUE INDEX conversions_once ON conversions(programme, evidence) WHERE status = 'active';
                CREATE INDEX conversions_by_person ON conversions(person_id);
                CREATE INDEX conversions_by_evidence ON conversions(evidence);
                """)
        }
        m.registerMigration("v5-tokens") { db in
            try db.execute(sql: """
                -- Bearer tokens: only their SHA-256 is kept.
                CREATE TABLE tokens (
                    id TEXT PRIMARY KEY,
                    sha256 TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('operator', 'institution', 'worker')),
                    institution_id TEXT REFERENCES institutions(id),
                    person_id TEXT REFERENCES people(id),
                    created_at TEXT NOT NULL,
                    expires_at TEXT,
                    revoked_at TEXT,
                    event_id TEXT NOT NULL REFERENCES events(id),
                    CHECK ((role = 'institution') = (institution_id IS NOT NULL)),
                    CHECK ((role = 'worker') = (person_id IS NOT NULL))
                ) STRICT;

                -- Responses to POSTs that carried an Idempotency-Key, replayed on a retry.
                CREATE TABLE idempotency (
                    token_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (token_id, key)
                ) STRICT;
                """)
        }
        m.registerMigration("v6-transparency-log") { db in
            try db.execute(sql: """
                -- The transparency log (RFC 9162): perfect-subtree hashes by level; level 0 holds
                -- the leaf hashes, leaf i being event seq i + 1. Proofs read O(log n) rows.
                CREATE TABLE log_nodes (
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (level, idx)
                ) STRICT, WITHOUT ROWID;

                -- Signed checkpoints (C2SP tlog-checkpoint), one per tree size.
                CREATE TABLE checkpoints (
                    size INTEGER PRIMARY KEY,
                    root BLOB NOT NULL,
                    note TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) STRICT;
                """)
            // Events written before the log existed become its first leaves, in order: the
            // bank integrates them when it next opens (the store does no Merkle hashing).
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 > 0 {
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('log_backfill_pending', '1')")
            }
        }
        m.registerMigration("v7-event-commitments") { db in
            try db.execute(sql: """
                -- Leaves are commitments to events (see StoredEvent): the salt is kept with the
                -- event, the commitment stays when a person's erasure drops the body, and the
                -- person an event names is kept to find their events.
                ALTER TABLE events ADD COLUMN salt BLOB;
                ALTER TABLE events ADD COLUMN commitment BLOB;
                ALTER TABLE events ADD COLUMN person_id TEXT;
                DROP TRIGGER events_no_update;
                UPDATE events SET person_id = json_extract(CAST(canonical AS TEXT), '$.subjects.person');
                CREATE INDEX events_by_person ON events(person_id) WHERE person_id IS NOT NULL;
                -- Still append-only: the one change an event takes is its person's erasure, which
                -- drops the body and the salt and keeps (or, for an old event, sets) the commitment.
                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                    WHEN NOT (NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.type = OLD.type AND NEW.occurred_at = OLD.occurred_at
                              AND NEW.actor = OLD.actor AND NEW.person_id IS OLD.person_id AND length(NEW.canonical) = 0
                              AND NEW.salt IS NULL AND NEW.commitment IS NOT NULL
                              AND (OLD.commitment IS NULL OR NEW.commitment = OLD.commitment))
                    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
                """)
        }
        m.registerMigration("v8-certificate-shares") { db in
            try db.execute(sql: """
                -- A holder's shares of a certificate: who holds the secret may fetch its bundle by
                -- number until it expires. Only the secret's SHA-256 is kept.
                CREATE TABLE certificate_shares (
                    id TEXT PRIMARY KEY,
                    certificate_id TEXT NOT NULL REFERENCES certificates(id),
                    sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    event_id TEXT NOT NULL REFERENCES events(id)
                ) STRICT;
                """)
        }
        m.registerMigration("v9-erasure") { db in
            // When a person's personal data was destroyed (see PersonStore.erase).
            try db.execute(sql: "ALTER TABLE people ADD COLUMN erased_at TEXT")
        }
        m.registerMigration("v10-postings-by-person") { db in
            // The worker each posting belongs to (its distribution column on a sharded store):
            // every posting moves a person's credits in or out.
            try db.execute(sql: """
                ALTER TABLE postings ADD COLUMN person_id TEXT;
                DROP TRIGGER postings_no_update;
                UPDATE postings SET person_id = coalesce(
                    (SELECT owner_id FROM accounts WHERE id = postings.to_account AND owner_kind = 'person'),
                    (SELECT owner_id FROM accounts WHERE id = postings.from_account AND owner_kind = 'person'));
                CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
                    BEGIN SELECT RAISE(ABORT, 'postings are append-only; post a compensating entry'); END;
                CREATE INDEX postings_by_person ON postings(person_id);
                """)
        }
        m.registerMigration("v11-status-message") { db in
            // Certificates since the Open Badges 3.0 schema work carry one 2-bit `message` status
            // entry; SQLite changes a CHECK only by copying the table.
            try db.execute(sql: """
                CREATE TABLE status_lists_new (
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    purpose TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension', 'message')),
                    credential BLOB NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (institution_id, purpose)
                ) STRICT;
                INSERT INTO status_lists_new SELECT institution_id, purpose, credential, updated_at FROM status_lists;
                DROP TABLE status_lists;
                ALTER TABLE status_lists_new RENAME TO status_lists;
                """)
        }
        m.registerMigration("v12-subsidies") { db in
            // Subsidies (补贴): insurance figures by blind index only, claims, their ledger in
            // fen (append-only like the credit ledger), and payment batches.
            try db.execute(sql: """
                CREATE TABLE insurance_records (
                    id_index BLOB PRIMARY KEY,
                    months INTEGER NOT NULL CHECK (months >= 0),
                    receives_benefit INTEGER NOT NULL CHECK (receives_benefit IN (0, 1)),
                    as_of TEXT NOT NULL,
                    event_id TEXT NOT NULL
                ) STRICT;
                CREATE TABLE payment_batches (
                    id TEXT PRIMARY KEY,
                    created_at TEXT NOT NULL,
                    claims INTEGER NOT NULL,
                    total_fen INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    event_id TEXT NOT NULL
                ) STRICT;
                CREATE TABLE subsidy_claims (
                    id TEXT PRIMARY KEY,
                    programme TEXT NOT NULL,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    payee TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    occupation TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'paid', 'cancelled', 'recovery-due')),
                    applied_on TEXT NOT NULL,
                    applied_at TEXT NOT NULL,
                    decided_at TEXT,
                    reason TEXT,
                    batch_id TEXT REFERENCES payment_batches(id),
                    decision TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    last_event_id TEXT
                ) STRICT;
                CREATE INDEX subsidy_claims_by_person ON subsidy_claims(person_id);
                CREATE INDEX subsidy_claims_by_evidence ON subsidy_claims(evidence);
                CREATE INDEX subsidy_claims_by_status ON subsidy_claims(status, id);
                CREATE TABLE subsidy_postings (
                    id TEXT PRIMARY KEY,
                    claim_id TEXT NOT NULL REFERENCES subsidy_claims(id),
                    from_account TEXT NOT NULL,
                    to_account TEXT NOT NULL,
                    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
                    event_id TEXT NOT NULL
                ) STRICT;
                CREATE INDEX subsidy_postings_by_claim ON subsidy_postings(claim_id);
                CREATE TRIGGER subsidy_postings_no_update BEFORE UPDATE ON subsidy_postings
                    BEGIN SELECT RAISE(ABORT, 'subsidy postings are append-only; post a compensating entry'); END;
                CREATE TRIGGER subsidy_postings_no_delete BEFORE DELETE ON subsidy_postings
                    BEGIN SELECT RAISE(ABORT, 'subsidy postings are append-only; post a compensating entry'); END;
                """)
        }
        m.registerMigration("v13-notices") { db in
            // Workers' inboxes (政策推送): ids and figures only, one notice per key per worker.
            try db.execute(sql: """
                CREATE TABLE notices (
                    id TEXT PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    kind TEXT NOT NULL,
                    key TEXT NOT NULL,
                    facts TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    read_at TEXT,
                    event_id TEXT NOT NULL,
                    UNIQUE (person_id, key)
                ) STRICT;
                CREATE INDEX notices_by_person ON notices(person_id, id);
                """)
        }
        m.registerMigration("v14-webhooks") { db in
            // Webhook subscriptions (the secret sealed by the vault) and the transactional outbox:
            // a message is written with its event and its payload never changes.
            try db.execute(sql: """
                CREATE TABLE webhooks (
                    id TEXT PRIMARY KEY,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    url TEXT NOT NULL,
                    event_types TEXT NOT NULL,
                    secret_ciphertext BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    disabled_at TEXT,
                    event_id TEXT NOT NULL,
                    disabled_event_id TEXT
                ) STRICT;
                CREATE INDEX webhooks_by_institution ON webhooks(institution_id);
                CREATE TABLE webhook_messages (
                    id TEXT PRIMARY KEY,
                    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL CHECK (attempts >= 0),
                    next_attempt_at INTEGER NOT NULL,
                    leased_until INTEGER,
                    last_error TEXT,
                    delivered_at TEXT
                ) STRICT;
                CREATE INDEX webhook_messages_due ON webhook_messages(status, next_attempt_at);
                CREATE INDEX webhook_messages_by_webhook ON webhook_messages(webhook_id, id);
                CREATE TRIGGER webhook_messages_payload_fixed BEFORE UPDATE OF id, payload, event_id, webhook_id ON webhook_messages
                    BEGIN SELECT RAISE(ABORT, 'a webhook message keeps its id and payload on every attempt'); END;
                """)
        }
        m.registerMigration("v15-talent-pool") { db in
            // The talent pool (人才储备): consent with what the worker shows (the contact channel
            // sealed), vacancies, contact requests and the worker's disclosure log.
            try db.execute(sql: """
                CREATE TABLE talent_profiles (
                    person_id TEXT PRIMARY KEY REFERENCES people(id),
                    certificates TEXT NOT NULL,
                    district TEXT,
                    areas TEXT NOT NULL,
                    shares_bundles INTEGER NOT NULL CHECK (shares_bundles IN (0, 1)),
                    contact_ciphertext BLOB,
                    opted_in_at TEXT NOT NULL,
                    opted_out_at TEXT,
                    event_id TEXT NOT NULL
                ) STRICT;
                CREATE TABLE vacancies (
                    id TEXT PRIMARY KEY,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    title TEXT NOT NULL,
                    occupation TEXT NOT NULL,
                    min_level INTEGER NOT NULL CHECK (min_level BETWEEN 1 AND 5),
                    district TEXT NOT NULL,
                    count INTEGER NOT NULL CHECK (count > 0),
                    created_at TEXT NOT NULL,
                    closed_at TEXT,
                    event_id TEXT NOT NULL,
                    closed_event_id TEXT
                ) STRICT;
                CREATE INDEX vacancies_by_institution ON vacancies(institution_id, id);
                CREATE TABLE contact_requests (
                    id TEXT PRIMARY KEY,
                    institution_id TEXT NOT NULL REFERENCES institutions(id),
                    person_id TEXT NOT NULL REFERENCES people(id),
                    vacancy_id TEXT REFERENCES vacancies(id),
                    message TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
                    created_at TEXT NOT NULL,
                    answered_at TEXT,
                    shared_certificates TEXT NOT NULL,
                    shares_contact INTEGER NOT NULL CHECK (shares_contact IN (0, 1)),
                    event_id TEXT NOT NULL,
                    last_event_id TEXT
                ) STRICT;
                CREATE INDEX contact_requests_by_person ON contact_requests(person_id, id);
                CREATE INDEX contact_requests_by_institution ON contact_requests(institution_id, id);
                CREATE TABLE disclosures (
                    id TEXT PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    institution_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('listed', 'contact-requested', 'shared')),
                    reference TEXT,
                    at TEXT NOT NULL
                ) STRICT;
                CREATE INDEX disclosures_by_person ON disclosures(person_id, id);
                """)
        }
        m.registerMigration("v16-worker-sessions") { db in
            // One-time sign-in links and the sessions of workers' pages: SHA-256s of the secrets only.
            try db.execute(sql: """
                CREATE TABLE signin_links (
                    sha256 TEXT PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    used_at TEXT,
                    event_id TEXT NOT NULL
                ) STRICT;
                CREATE TABLE sessions (
                    sha256 TEXT PRIMARY KEY,
                    person_id TEXT NOT NULL REFERENCES people(id),
                    csrf TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL,
                    revoked_at TEXT,
                    event_id TEXT NOT NULL
                ) STRICT;
                CREATE INDEX sessions_by_person ON sessions(person_id);
                """)
        }
        return m
    }
}
