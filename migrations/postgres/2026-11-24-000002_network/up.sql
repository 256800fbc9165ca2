-- The network: the provider directory (after Open Referral HSDS), protocols, consents, referrals with their
-- event history, case transfers and case access grants. Same conventions as the foundation.

-- HSDS organization. A provider linked to an organization of the system has staff who receive referrals in
-- the API; an external one is answered for by the referring desk.
CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT,
    organization_id TEXT REFERENCES organizations (id),
    email TEXT,
    phone TEXT,
    website TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX providers_organization ON providers (organization_id);

-- HSDS service. Codes and languages are JSON arrays; search_text and area_keys hold normalised words
-- (`|crema|lodi|`) so that every filter is one indexed-or-LIKE predicate on this table.
CREATE TABLE provider_services (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    name TEXT NOT NULL,
    description TEXT,
    needs TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    area_municipalities TEXT NOT NULL DEFAULT '[]',
    area_district TEXT,
    eligibility TEXT,
    min_age INTEGER,
    max_age INTEGER,
    fees TEXT,
    how_to_apply TEXT,
    email TEXT,
    phone TEXT,
    search_text TEXT NOT NULL,
    area_keys TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    deleted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX provider_services_provider ON provider_services (provider_id, id);

-- HSDS service_at_location: where a service is delivered; replaced as a whole with the service's locations.
CREATE TABLE service_locations (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES provider_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    address TEXT,
    municipality TEXT,
    notes TEXT
);
CREATE INDEX service_locations_service ON service_locations (service_id, position);

-- HSDS schedule of a location; service_id is repeated so that "open at" is one subquery on this table.
CREATE TABLE location_schedules (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES service_locations (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES provider_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens TIME NOT NULL,
    closes TIME NOT NULL,
    valid_from DATE,
    valid_to DATE,
    notes TEXT,
    CHECK (opens < closes)
);
CREATE INDEX location_schedules_location ON location_schedules (location_id, position);
CREATE INDEX location_schedules_open ON location_schedules (weekday, opens, closes, service_id);

-- Memoranda of understanding between organizations and providers.
CREATE TABLE protocols (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    signed_on DATE,
    valid_from DATE NOT NULL,
    valid_to DATE,
    document_ref TEXT,
    notes TEXT,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (valid_to IS NULL OR valid_from <= valid_to)
);
CREATE INDEX protocols_validity ON protocols (valid_from, valid_to);

-- A party is an organization of the system or a provider of the directory, never both.
CREATE TABLE protocol_parties (
    id TEXT PRIMARY KEY,
    protocol_id TEXT NOT NULL REFERENCES protocols (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    organization_id TEXT REFERENCES organizations (id),
    provider_id TEXT REFERENCES providers (id),
    CHECK ((organization_id IS NULL) <> (provider_id IS NULL))
);
CREATE INDEX protocol_parties_protocol ON protocol_parties (protocol_id, position);
CREATE INDEX protocol_parties_organization ON protocol_parties (organization_id);
CREATE INDEX protocol_parties_provider ON protocol_parties (provider_id);

-- The person's consents, per case and purpose. Records are never edited: a withdrawal is stamped on them.
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    purpose TEXT NOT NULL,
    provider_id TEXT REFERENCES providers (id),
    given_at TIMESTAMP NOT NULL,
    expires_on DATE,
    evidence TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT REFERENCES users (id),
    withdrawal_note TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((purpose = 'provider_sharing') = (provider_id IS NOT NULL))
);
CREATE INDEX consents_case ON consents (case_id, id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    sender_organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    provider_id TEXT NOT NULL REFERENCES providers (id),
    service_id TEXT REFERENCES provider_services (id),
    -- The provider's linked organization when the referral was made; NULL for an external provider.
    receiving_organization_id TEXT REFERENCES organizations (id),
    need TEXT NOT NULL,
    urgency TEXT NOT NULL,
    reason TEXT NOT NULL,
    due_on DATE,
    consent_id TEXT REFERENCES consents (id),
    consent_override_reason TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    requested_at TIMESTAMP,
    answered_at TIMESTAMP,
    closed_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (consent_id IS NOT NULL OR consent_override_reason IS NOT NULL)
);
CREATE INDEX referrals_case ON referrals (case_id, id);
CREATE INDEX referrals_sender ON referrals (sender_organization_id, id);
CREATE INDEX referrals_receiver ON referrals (receiving_organization_id, id);
CREATE INDEX referrals_open_due ON referrals (status, due_on);

CREATE TABLE referral_events (
    id TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    actor_organization_id TEXT NOT NULL REFERENCES organizations (id),
    reason TEXT,
    note TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- A case handed to another organization. At most one open (requested) transfer per case.
CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    from_organization_id TEXT NOT NULL REFERENCES organizations (id),
    to_organization_id TEXT NOT NULL REFERENCES organizations (id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    decision_note TEXT,
    requested_by TEXT NOT NULL REFERENCES users (id),
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (from_organization_id <> to_organization_id)
);
CREATE UNIQUE INDEX transfers_one_open ON transfers (case_id) WHERE status = 'requested';
CREATE INDEX transfers_from ON transfers (from_organization_id, id);
CREATE INDEX transfers_to ON transfers (to_organization_id, id);

-- Joint taking-in-charge: another organization may read or contribute to a case until expiry or revocation.
CREATE TABLE case_access_grants (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    access TEXT NOT NULL,
    expires_at TIMESTAMP,
    note TEXT,
    granted_by TEXT NOT NULL REFERENCES users (id),
    revoked_at TIMESTAMP,
    revoked_by TEXT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX case_access_grants_case ON case_access_grants (case_id, id);
CREATE INDEX case_access_grants_organization ON case_access_grants (organization_id, case_id);

-- Duplicate detection at intake looks cases up by birth date across the network.
CREATE INDEX cases_birth_date ON cases (birth_date);
