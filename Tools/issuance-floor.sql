-- The floor of bulk certificate issuance in SQLite alone: the exact rows an import-results run
-- wrote (events, log nodes, candidate updates, certificates with their signed credentials,
-- serials), written again with set-based statements into the bank as it was before that run,
-- with the same schema, indexes, triggers and foreign-key checks, and no application code.
-- skillbank-bench certificates runs it with the bank before the bulk import as `main` and the
-- bank after it as `src`:
--   sqlite3 before.sqlite -cmd "ATTACH 'after.sqlite' AS src" < Tools/issuance-floor.sql
-- Only the statements between BEGIN and COMMIT are timed (each prints a "Run Time" line).
PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
CREATE TEMP TABLE new_events AS SELECT * FROM src.events WHERE seq > (SELECT coalesce(max(seq), 0) FROM main.events);
CREATE TEMP TABLE new_nodes AS SELECT * FROM src.log_nodes WHERE ((idx + 1) << level) > (SELECT coalesce(max(seq), 0) FROM main.events);
CREATE TEMP TABLE new_certificates AS SELECT * FROM src.certificates WHERE id NOT IN (SELECT id FROM main.certificates);
CREATE TEMP TABLE new_candidates AS SELECT c.* FROM src.candidates c JOIN main.candidates m USING (assessment_id, person_id) WHERE m.status <> c.status;
CREATE TEMP TABLE new_serials AS SELECT * FROM src.certificate_serials;
DETACH src;
SELECT (SELECT count(*) FROM new_certificates) || ' certificates, ' || (SELECT count(*) FROM new_events) || ' events, '
    || (SELECT count(*) FROM new_nodes) || ' log nodes, ' || (SELECT count(*) FROM new_candidates) || ' candidate updates';
.timer on
BEGIN;
INSERT INTO events SELECT * FROM new_events ORDER BY seq;
INSERT INTO log_nodes SELECT * FROM new_nodes ORDER BY level, idx;
UPDATE candidates AS c SET status = n.status, theory = n.theory, practical = n.practical, recorded_at = n.recorded_at
    FROM new_candidates AS n WHERE c.assessment_id = n.assessment_id AND c.person_id = n.person_id;
INSERT INTO certificates SELECT * FROM new_certificates ORDER BY rowid;
INSERT OR REPLACE INTO certificate_serials SELECT * FROM new_serials;
COMMIT;
