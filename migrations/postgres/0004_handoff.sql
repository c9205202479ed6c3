-- Sales reps act from the Slack alert: claim a lead (and become its CRM owner), mark it as not a
-- lead, talk to the visitor in the alert's thread while the assistant stays quiet, and see the
-- CRM's deal outcome there.

ALTER TABLE conversations ADD COLUMN owner_slack_id TEXT;
ALTER TABLE conversations ADD COLUMN owner_name TEXT;
ALTER TABLE conversations ADD COLUMN owner_crm_id TEXT;
ALTER TABLE conversations ADD COLUMN claimed_ms BIGINT;
ALTER TABLE conversations ADD COLUMN not_a_lead BOOLEAN NOT NULL DEFAULT FALSE;
-- Since when a rep holds the conversation (the assistant does not answer), and the rep's last
-- message, from which idleness hands it back.
ALTER TABLE conversations ADD COLUMN human_since_ms BIGINT;
ALTER TABLE conversations ADD COLUMN human_last_ms BIGINT;
CREATE INDEX conversations_held ON conversations (human_last_ms) WHERE human_since_ms IS NOT NULL;

-- Who wrote a message that is neither the visitor nor the assistant (a rep's display name).
ALTER TABLE messages ADD COLUMN author TEXT;

-- Who made a lead change that did not come from the visitor's words (a rep in Slack).
ALTER TABLE lead_revisions ADD COLUMN actor TEXT;

-- The alert's thread: which visitor messages were relayed to it, and notes waiting to be posted.
ALTER TABLE alerts ADD COLUMN relayed_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX alerts_thread ON alerts (channel, thread_ts);
CREATE TABLE slack_notes (
    id              BIGSERIAL PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    text            TEXT NOT NULL,
    posted_ms       BIGINT,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX slack_notes_open ON slack_notes (conversation_id, posted_ms);

-- Slack events and CRM webhook events already handled: a retry or redelivery is handled once.
CREATE TABLE seen_events (
    source   TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seen_ms  BIGINT NOT NULL,
    PRIMARY KEY (source, event_id)
);

-- The deal as the CRM last reported it, per lead and CRM, for the funnel and the thread.
ALTER TABLE crm_links ADD COLUMN deal_id TEXT;
CREATE INDEX crm_links_deal ON crm_links (target, deal_id);
CREATE TABLE deal_outcomes (
    conversation_id TEXT NOT NULL,
    target          TEXT NOT NULL,
    deal_id         TEXT NOT NULL,
    stage           TEXT,
    amount          DOUBLE PRECISION,
    currency        TEXT,
    owner           TEXT,
    won             BOOLEAN NOT NULL DEFAULT FALSE,
    lost            BOOLEAN NOT NULL DEFAULT FALSE,
    changed_ms      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, target)
);
