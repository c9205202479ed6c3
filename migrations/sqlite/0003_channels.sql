-- WhatsApp, Messenger and Instagram: a sender may have several conversations over time (a new
-- one after a long silence), so the channel's id for the person is no longer unique per site;
-- the business account a conversation came in on is kept to answer through it.

DROP INDEX conversations_external;
CREATE INDEX conversations_sender ON conversations (site, channel, external_id, updated_ms);
ALTER TABLE conversations ADD COLUMN channel_account TEXT;

-- Every verified webhook POST, as received, before Meta gets its 200.
CREATE TABLE channel_posts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    body        TEXT NOT NULL,
    events      BIGINT NOT NULL,
    received_ms BIGINT NOT NULL
);
CREATE INDEX channel_posts_received ON channel_posts (received_ms);

-- What the POSTs held, one row per message, receipt or error; a message id seen before (Meta
-- redelivers for up to 7 days, and to every subscribed app) is not stored again.
CREATE TABLE channel_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT NOT NULL,
    event_key       TEXT NOT NULL,
    sender_key      TEXT NOT NULL,
    at_ms           BIGINT NOT NULL,
    event_json      TEXT NOT NULL,
    post_id         BIGINT NOT NULL,
    state           TEXT NOT NULL,
    conversation_id TEXT,
    received_ms     BIGINT NOT NULL
);
CREATE UNIQUE INDEX channel_events_key ON channel_events (channel, event_key);
CREATE INDEX channel_events_sender ON channel_events (sender_key, state, at_ms);

-- What became of each reply sent on a channel: accepted by Meta with its message id, then
-- sent, delivered, read or failed as the receipts say; or never sent (undeliverable).
CREATE TABLE channel_deliveries (
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    channel         TEXT NOT NULL,
    provider_id     TEXT,
    status          TEXT NOT NULL,
    error           TEXT,
    sent_ms         BIGINT NOT NULL,
    updated_ms      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX channel_deliveries_provider ON channel_deliveries (channel, provider_id);
