-- The replies leadgate posted in alert threads (channel and timestamp only): erasing a visitor
-- deletes them from Slack too, when `[privacy] erase_in_slack` is on.
CREATE TABLE slack_posts (
    conversation_id TEXT NOT NULL,
    channel         TEXT NOT NULL,
    ts              TEXT NOT NULL,
    PRIMARY KEY (conversation_id, ts)
);
