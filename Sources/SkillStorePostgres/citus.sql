-- SkillBank on Citus: run once on the coordinator, after `skillbank init --store postgres://…`
-- has created the ledger's tables (and before the bank takes much data: distributing a table
-- moves its rows to the workers).
--
--   psql "$COORDINATOR_URL" -f Sources/SkillStorePostgres/citus.sql
--
-- Layout (see PostgresSchema.swift):
--   * a worker's records are distributed by the worker's id, all in one co-location group, so
--     a worker's record, balances and certificates are read from one shard;
--   * institutions, their scopes, keys, courses, assessments, serial counters and status lists
--     are small and read everywhere: reference tables, copied to every node;
--   * the look-up tables that route a blind index or a certificate number to its worker are
--     distributed by their own key;
--   * the event log (one sequence by design), its tree nodes and checkpoints, tokens,
--     idempotency keys and shares stay on the coordinator as local tables.

CREATE EXTENSION IF NOT EXISTS citus;

-- Reference tables first: distributed tables keep foreign keys to them.
SELECT create_reference_table('institutions');
SELECT create_reference_table('accreditations');
SELECT create_reference_table('keys');
SELECT create_reference_table('courses');
SELECT create_reference_table('assessments');
SELECT create_reference_table('certificate_serials');
SELECT create_reference_table('status_lists');
SELECT create_reference_table('meta');
SELECT create_reference_table('standards_files');

-- A worker's records: one co-location group, distributed by the worker's id.
SELECT create_distributed_table('people', 'id');
SELECT create_distributed_table('enrolments', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('candidates', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('postings', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('certificates', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('conversions', 'person_id', colocate_with => 'people');
-- Accounts are kept with their owner: a worker's with the worker's records; an institution's
-- contra accounts fall on whichever shard its id hashes to.
SELECT create_distributed_table('accounts', 'owner_id', colocate_with => 'people');

-- Routing tables, each by its own key.
SELECT create_distributed_table('person_index', 'id_index');
SELECT create_distributed_table('certificate_keys', 'key');

-- Coordinator-local tables: the log's single sequencer and what only the registry reads.
SELECT citus_add_local_table_to_metadata('events');
SELECT citus_add_local_table_to_metadata('log_nodes');
SELECT citus_add_local_table_to_metadata('checkpoints');
SELECT citus_add_local_table_to_metadata('tokens');
SELECT citus_add_local_table_to_metadata('idempotency');
SELECT citus_add_local_table_to_metadata('certificate_shares');
SELECT citus_add_local_table_to_metadata('store_version');

-- The platform services. A worker's inbox, talent-pool consent, contact requests and disclosure
-- log go with the worker's records; vacancies are few and read by every search; subsidy claims,
-- their ledger and payment batches (decided against caps that span a worker's claims, paid in
-- batches that span every worker), the insurance figures by blind index, and the webhook
-- subscriptions and outbox (fed from the log, leased by every serve) stay on the coordinator.
SELECT create_distributed_table('notices', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('talent_profiles', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('contact_requests', 'person_id', colocate_with => 'people');
SELECT create_distributed_table('disclosures', 'person_id', colocate_with => 'people');
SELECT create_reference_table('vacancies');
SELECT citus_add_local_table_to_metadata('insurance_records');
SELECT citus_add_local_table_to_metadata('subsidy_claims');
SELECT citus_add_local_table_to_metadata('subsidy_postings');
SELECT citus_add_local_table_to_metadata('payment_batches');
SELECT citus_add_local_table_to_metadata('webhooks');
SELECT citus_add_local_table_to_metadata('webhook_messages');
SELECT citus_add_local_table_to_metadata('signin_links');
SELECT citus_add_local_table_to_metadata('sessions');
