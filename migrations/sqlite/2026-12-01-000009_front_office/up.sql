-- The front office (segretariato sociale): each contact at a desk. Most never become a case file, so the
-- person is at most a minimal anonymous profile (sex, age band, citizenship); `case_id` links the contact
-- to a file when there is one, and `opened_case_at` says the file was opened from this contact.
CREATE TABLE desk_contacts (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    desk_id TEXT NOT NULL REFERENCES desks (id),
    operator_id TEXT NOT NULL REFERENCES users (id),
    occurred_at TIMESTAMP NOT NULL,
    channel TEXT NOT NULL,
    case_id TEXT REFERENCES cases (id),
    opened_case_at TIMESTAMP,
    sex TEXT,
    age_band TEXT,
    citizenship TEXT,
    -- A JSON array of topic codes, as cases keep their needs.
    topics TEXT NOT NULL,
    answer TEXT NOT NULL,
    provider_id TEXT REFERENCES providers (id),
    orientation TEXT,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Lists: an organization's contacts newest first, a desk's day, a case's contacts; statistics by period.
CREATE INDEX desk_contacts_organization ON desk_contacts (organization_id, id);
CREATE INDEX desk_contacts_desk_occurred ON desk_contacts (desk_id, occurred_at);
CREATE INDEX desk_contacts_organization_occurred ON desk_contacts (organization_id, occurred_at);
CREATE INDEX desk_contacts_occurred ON desk_contacts (occurred_at);
CREATE INDEX desk_contacts_case ON desk_contacts (case_id) WHERE case_id IS NOT NULL;
