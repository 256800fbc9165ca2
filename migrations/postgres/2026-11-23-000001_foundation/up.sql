-- Foundation: organizations, desks, accounts, the case file and the audit trail.
-- Ids are UUIDv7 text, times naive UTC, JSON as text: the same schema.rs serves SQLite and PostgreSQL.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    tax_id TEXT,
    municipality TEXT,
    district TEXT,
    address TEXT,
    email TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE desks (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    address TEXT,
    municipality TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    phone TEXT,
    email TEXT,
    notes TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX desks_organization ON desks (organization_id, id);

CREATE TABLE desk_opening_hours (
    id TEXT PRIMARY KEY,
    desk_id TEXT NOT NULL REFERENCES desks (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens TIME NOT NULL,
    closes TIME NOT NULL,
    valid_from DATE,
    valid_to DATE,
    notes TEXT,
    CHECK (opens < closes)
);
CREATE INDEX desk_opening_hours_desk ON desk_opening_hours (desk_id, position);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    first_failed_at TIMESTAMP,
    locked_until TIMESTAMP,
    last_login_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organization ON users (organization_id, id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- One row per organization and year; incremented inside the case-creating transaction.
CREATE TABLE reference_counters (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (organization_id, year)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    desk_id TEXT REFERENCES desks (id),
    assignee_id TEXT REFERENCES users (id),
    reference_code TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    closure_reason TEXT,
    closure_note TEXT,
    closed_at TIMESTAMP,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    sex TEXT,
    birth_date DATE,
    birth_place TEXT,
    country_of_birth TEXT,
    citizenship TEXT,
    tax_code TEXT,
    languages TEXT NOT NULL DEFAULT '[]',
    phone TEXT,
    email TEXT,
    address TEXT,
    residence_municipality TEXT,
    arrival_date DATE,
    legal_status TEXT,
    permit_type TEXT,
    permit_number TEXT,
    permit_expiry DATE,
    education TEXT,
    employment TEXT,
    housing TEXT,
    needs TEXT NOT NULL DEFAULT '[]',
    notes TEXT,
    restricted_notes TEXT,
    source_system TEXT,
    external_id TEXT,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Keyset pagination walks (organization_id, id); the others serve the list filters.
CREATE INDEX cases_organization ON cases (organization_id, id);
CREATE INDEX cases_tax_code ON cases (tax_code);
CREATE INDEX cases_assignee ON cases (assignee_id, id);
CREATE INDEX cases_desk ON cases (desk_id, id);
CREATE INDEX cases_permit_expiry ON cases (organization_id, permit_expiry);
CREATE INDEX cases_updated ON cases (organization_id, updated_at);
CREATE UNIQUE INDEX cases_external ON cases (source_system, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE family_members (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    relationship TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    sex TEXT,
    birth_date DATE,
    citizenship TEXT,
    tax_code TEXT,
    lives_with_beneficiary BOOLEAN NOT NULL DEFAULT TRUE,
    dependent BOOLEAN NOT NULL DEFAULT FALSE,
    notes TEXT,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX family_members_case ON family_members (case_id, id);

CREATE TABLE interventions (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    duration_minutes INTEGER,
    operator_id TEXT NOT NULL REFERENCES users (id),
    summary TEXT NOT NULL,
    follow_up_on DATE,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX interventions_case ON interventions (case_id, id);
CREATE INDEX interventions_organization ON interventions (organization_id, occurred_on);

-- Append-only. Never personal data in details: ids and codes only.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_organization_id TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    case_id TEXT,
    request_id TEXT,
    client_ip TEXT,
    outcome TEXT NOT NULL,
    details TEXT
);
CREATE INDEX audit_events_case ON audit_events (case_id, occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at);
CREATE INDEX audit_events_time ON audit_events (occurred_at);

-- A POST retried with the same Idempotency-Key replays the stored response; status NULL = in flight.
CREATE TABLE idempotency_keys (
    owner_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    response_headers TEXT,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
