-- The registry of professionals (mediators, interpreters, lawyers), their activations with the 24/48-hour
-- deadline and its event history, and the family-assistant list with care requests and placements.

CREATE TABLE professionals (
    id TEXT PRIMARY KEY,
    -- The organization that holds the registry entry; its coordinators manage it.
    registry_organization_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    -- [{"code": "fr", "level": "native"}, …] and, for search, `|fr|ar|`.
    languages TEXT NOT NULL DEFAULT '[]',
    language_keys TEXT NOT NULL,
    sectors TEXT NOT NULL DEFAULT '[]',
    area_municipalities TEXT NOT NULL DEFAULT '[]',
    area_district TEXT,
    area_keys TEXT NOT NULL,
    employer_organization_id TEXT REFERENCES organizations (id),
    email TEXT,
    phone TEXT,
    availability TEXT,
    registry_number TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    user_id TEXT UNIQUE REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX professionals_kind ON professionals (kind, active, id);
CREATE UNIQUE INDEX professionals_registry_number ON professionals (registry_organization_id, registry_number)
    WHERE registry_number IS NOT NULL;

CREATE TABLE activations (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    requested_by TEXT NOT NULL REFERENCES users (id),
    -- A case of the requesting organization, or none for an interview at a municipal social service.
    case_id TEXT REFERENCES cases (id),
    person_name TEXT,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    sector TEXT,
    scheduled_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    municipality TEXT,
    duration_minutes INTEGER NOT NULL,
    urgency TEXT NOT NULL,
    notes TEXT,
    requested_at TIMESTAMP NOT NULL,
    deadline_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    professional_id TEXT REFERENCES professionals (id),
    assigned_at TIMESTAMP,
    confirmed_at TIMESTAMP,
    completed_at TIMESTAMP,
    worked_minutes INTEGER,
    outcome TEXT,
    status_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (case_id IS NOT NULL OR person_name IS NOT NULL)
);
CREATE INDEX activations_organization ON activations (organization_id, id);
CREATE INDEX activations_professional ON activations (professional_id, status);
CREATE INDEX activations_deadline ON activations (status, deadline_at);
CREATE INDEX activations_case ON activations (case_id);

CREATE TABLE activation_events (
    id TEXT PRIMARY KEY,
    activation_id TEXT NOT NULL REFERENCES activations (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    professional_id TEXT REFERENCES professionals (id),
    actor_id TEXT NOT NULL REFERENCES users (id),
    reason TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX activation_events_activation ON activation_events (activation_id, id);

-- Family assistants (badanti, colf) looking for a regular job, registered by a desk.
CREATE TABLE family_assistants (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    language_keys TEXT NOT NULL,
    experience TEXT,
    certificates TEXT NOT NULL DEFAULT '[]',
    tasks TEXT NOT NULL DEFAULT '[]',
    hours_per_week INTEGER NOT NULL,
    live_in BOOLEAN NOT NULL DEFAULT FALSE,
    area_municipalities TEXT NOT NULL DEFAULT '[]',
    area_keys TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    available_from DATE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX family_assistants_organization ON family_assistants (organization_id, id);

-- A family's request for care: a case, or a household that only gave a contact.
CREATE TABLE care_requests (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    case_id TEXT REFERENCES cases (id),
    household_name TEXT,
    household_phone TEXT,
    tasks TEXT NOT NULL DEFAULT '[]',
    hours_per_week INTEGER NOT NULL,
    live_in BOOLEAN NOT NULL DEFAULT FALSE,
    municipality TEXT NOT NULL,
    municipality_key TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '[]',
    start_on DATE,
    notes TEXT,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (case_id IS NOT NULL OR household_name IS NOT NULL)
);
CREATE INDEX care_requests_organization ON care_requests (organization_id, id);

-- A proposed match between a request and an assistant, and how it ended.
CREATE TABLE care_placements (
    id TEXT PRIMARY KEY,
    care_request_id TEXT NOT NULL REFERENCES care_requests (id),
    assistant_id TEXT NOT NULL REFERENCES family_assistants (id),
    outcome TEXT NOT NULL,
    contract_type TEXT,
    note TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX care_placements_pair ON care_placements (care_request_id, assistant_id);
