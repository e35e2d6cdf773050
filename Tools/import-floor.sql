-- The floor of a completion import in SQLite alone: the rows one million completions must write
-- (event, log nodes, enrolment update, posting with its indexes), as set-based statements with no
-- application code at all. Compare with the .import baseline of skillbank-bench import.
--   sqlite3 /tmp/floor.sqlite < Tools/import-floor.sql     (remove /tmp/floor.sqlite* first)
PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, occurred_at TEXT NOT NULL, actor TEXT NOT NULL, canonical BLOB NOT NULL) STRICT;
CREATE TABLE log_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) STRICT, WITHOUT ROWID;
CREATE TABLE enrolments (id TEXT PRIMARY KEY, person_id TEXT NOT NULL, course_id TEXT NOT NULL, status TEXT NOT NULL, enrolled_at TEXT NOT NULL, closed_at TEXT, event_id TEXT NOT NULL, UNIQUE (person_id, course_id)) STRICT;
CREATE INDEX enrolments_by_course ON enrolments(course_id, status);
CREATE TABLE postings (id TEXT PRIMARY KEY, event_id TEXT NOT NULL, from_account INTEGER NOT NULL, to_account INTEGER NOT NULL, amount_tenths INTEGER NOT NULL, reference TEXT NOT NULL) STRICT;
CREATE INDEX postings_from ON postings(from_account); CREATE INDEX postings_to ON postings(to_account); CREATE INDEX postings_by_reference ON postings(reference);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 999999)
INSERT INTO enrolments SELECT printf('enr_%020d', i), printf('per_%020d', i/10), printf('crs_%05d', (i*31)%500), 'enrolled', '2026-11-29T00:00:00Z', NULL, printf('evt_x%020d', i) FROM n;
.timer on
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 999999)
INSERT INTO events(id,type,occurred_at,actor,canonical) SELECT printf('evt_%022d', i), 'enrolment.completed', '2026-11-29T00:00:00.000Z', 'operator:cli', randomblob(330) FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 1999999)
INSERT INTO log_nodes SELECT CASE WHEN i < 1000000 THEN 0 ELSE 1 END, i, randomblob(32) FROM n;
UPDATE enrolments SET status='completed', closed_at='2026-11-29T00:00:00Z';
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 899999)
INSERT INTO postings SELECT printf('pst_%022d', i), printf('evt_%022d', i), 1 + i%500, 1000 + i/3, 40, printf('enr_%020d', i) FROM n;
COMMIT;
