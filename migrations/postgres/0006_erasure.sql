-- The replies leadgate posted in alert threads (channel and timestamp only): erasing a visitor
-- deletes them from Slack too, when `[privacy] erase_in_slack` is on.
CREATE TABLE slack_posts (
    conversation_id TEXT NOT NULL,
    channel         TEXT NOT NULL,
    ts              TEXT NOT NULL,
    PRIMARY KEY (conversation_id, ts)
);

-- A first Slack alert about to be posted: when its answer is lost (the gateway died or stalled
-- after posting), the next attempt finds the message in the channel's history instead of
-- posting it again.
CREATE TABLE slack_pending (
    conversation_id TEXT PRIMARY KEY,
    since_ms        BIGINT NOT NULL
);
