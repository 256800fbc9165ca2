-- Webhooks: an organization's subscriptions and the queue of their deliveries. A worker turns the
-- organization's change feed into deliveries (from `feed_cursor` on) and sends them; both live here so that a
-- restart, or another node, carries on where the last one stopped.
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    url TEXT NOT NULL,
    description TEXT,
    -- JSON array of event types, e.g. ["case.created","referral.updated"].
    event_types TEXT NOT NULL,
    -- The HMAC key: signing needs it in clear (it is never returned after creation or rotation).
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- The last change-feed sequence already turned into deliveries; a new subscription starts at the end.
    feed_cursor BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_organization ON webhook_subscriptions (organization_id);

-- One event for one subscription. status: pending (to send at next_attempt_at), delivered, failed (gave up
-- after the last retry; a re-send makes it pending again). lease_until keeps two nodes from sending it at once.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    sequence BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    lease_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (subscription_id, sequence)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, id);
