-- Conversations, their messages, lead revisions and consent records.
-- Times are Unix milliseconds (UTC) in both stores, so the same queries run on both.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    site             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    external_id      TEXT,
    locale           TEXT,
    region           TEXT,
    page_url         TEXT,
    contact_json     TEXT,
    started_ms       BIGINT NOT NULL,
    updated_ms       BIGINT NOT NULL,
    last_seq         BIGINT NOT NULL DEFAULT 0,
    consent_required BOOLEAN NOT NULL DEFAULT FALSE,
    consent_granted  BOOLEAN,
    lead_json        TEXT,
    lead_revision    BIGINT NOT NULL DEFAULT 0,
    score            BIGINT NOT NULL DEFAULT 0,
    qualified_ms     BIGINT,
    engine_state     TEXT,
    erased_ms        BIGINT
);
CREATE UNIQUE INDEX conversations_external ON conversations (site, channel, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX conversations_updated ON conversations (updated_ms);

CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    id              TEXT NOT NULL,
    role            TEXT NOT NULL,
    text            TEXT NOT NULL,
    client_msg_id   TEXT,
    quick_replies   TEXT,
    asked           TEXT,
    created_ms      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX messages_client_id ON messages (conversation_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;

CREATE TABLE lead_revisions (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    revision        BIGINT NOT NULL,
    message_seq     BIGINT,
    changes_json    TEXT NOT NULL,
    lead_json       TEXT NOT NULL,
    score           BIGINT NOT NULL,
    created_ms      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, revision)
);

CREATE TABLE consents (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    granted         BOOLEAN NOT NULL,
    policy_version  TEXT,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX consents_conversation ON consents (conversation_id);
