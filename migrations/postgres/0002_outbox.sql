-- The outbox: CRM syncs and sales alerts, committed with the lead change that causes them.
-- At most one open job per lead and target: a newer lead revision updates the open job
-- instead of adding one (coalescing).

CREATE TABLE jobs (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT NOT NULL,
    target           TEXT NOT NULL,
    conversation_id  TEXT NOT NULL,
    person_key       TEXT,
    revision         BIGINT NOT NULL,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    run_at_ms        BIGINT NOT NULL,
    locked_by        TEXT,
    locked_until_ms  BIGINT,
    last_error       TEXT,
    last_error_class TEXT,
    created_ms       BIGINT NOT NULL,
    updated_ms       BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_one_open ON jobs (kind, target, conversation_id)
    WHERE state IN ('pending', 'running', 'paused');
CREATE INDEX jobs_due ON jobs (target, state, run_at_ms);
CREATE INDEX jobs_person ON jobs (target, person_key, state);

-- Record ids a lead has in each CRM, so retries update instead of creating again.
CREATE TABLE crm_links (
    conversation_id TEXT NOT NULL,
    target          TEXT NOT NULL,
    links_json      TEXT NOT NULL,
    synced_revision BIGINT NOT NULL DEFAULT 0,
    record_url      TEXT,
    updated_ms      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, target)
);

-- The sales alert of each lead: where it was posted, so changes follow in its thread.
CREATE TABLE alerts (
    conversation_id TEXT PRIMARY KEY,
    channel         TEXT,
    thread_ts       TEXT,
    score           BIGINT NOT NULL,
    digest          TEXT NOT NULL,
    with_crm_link   BOOLEAN NOT NULL DEFAULT FALSE,
    sent_ms         BIGINT NOT NULL
);
