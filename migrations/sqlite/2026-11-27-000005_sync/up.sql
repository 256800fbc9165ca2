-- Machine accounts of district platforms (client-credentials grant). The secret is random and long, so a
-- SHA-256 hash is enough to store it; the previous hash keeps working until previous_valid_until after a
-- rotation, so a platform can roll its configuration without downtime.
CREATE TABLE integration_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- JSON array of organization ids the client acts for (at least one).
    organization_ids TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    previous_secret_hash TEXT,
    previous_valid_until TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT NOT NULL REFERENCES users (id),
    last_used_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Erasure and legal hold.
ALTER TABLE cases ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN erased_at TIMESTAMP;
CREATE INDEX cases_closed ON cases (closed_at) WHERE erased_at IS NULL;

-- The change feed. Triggers add a row for every write to the synced tables, with seq NULL; the writing
-- transaction numbers its rows just before it commits (db::changes::assign_sequence). SQLite has one
-- writer at a time (BEGIN IMMEDIATE), so sequence order is commit order. `id` only orders the rows inside
-- one transaction.
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    seq BIGINT UNIQUE,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    case_id TEXT,
    -- Whose feed shows it: the organization owning the case (for a case-less activation, the requester).
    organization_id TEXT NOT NULL,
    change TEXT NOT NULL,
    changed_at TIMESTAMP
);
CREATE INDEX changes_pending ON changes (id) WHERE seq IS NULL;
CREATE INDEX changes_organization ON changes (organization_id, seq);

CREATE TRIGGER cases_created AFTER INSERT ON cases BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('case', NEW.id, NEW.id, NEW.organization_id, 'created');
END;
-- The old owner's feed loses the case; the new owner's receives it with everything attached.
CREATE TRIGGER cases_transferred AFTER UPDATE OF organization_id ON cases
WHEN NEW.organization_id <> OLD.organization_id BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('case', OLD.id, OLD.id, OLD.organization_id, 'transferred');
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'family_member', id, case_id, NEW.organization_id, 'updated'
    FROM family_members WHERE case_id = NEW.id AND deleted_at IS NULL;
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'intervention', id, case_id, NEW.organization_id, 'updated'
    FROM interventions WHERE case_id = NEW.id AND deleted_at IS NULL;
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'referral', id, case_id, NEW.organization_id, 'updated' FROM referrals WHERE case_id = NEW.id;
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'activation', id, case_id, NEW.organization_id, 'updated' FROM activations WHERE case_id = NEW.id;
END;
CREATE TRIGGER cases_updated AFTER UPDATE ON cases BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('case', NEW.id, NEW.id, NEW.organization_id,
            CASE WHEN OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL THEN 'erased'
                 WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'deleted'
                 ELSE 'updated' END);
END;

CREATE TRIGGER family_members_created AFTER INSERT ON family_members BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'family_member', NEW.id, NEW.case_id, organization_id, 'created' FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER family_members_updated AFTER UPDATE ON family_members BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'family_member', NEW.id, NEW.case_id, organization_id,
           CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'deleted' ELSE 'updated' END
    FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER interventions_created AFTER INSERT ON interventions BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'intervention', NEW.id, NEW.case_id, organization_id, 'created' FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER interventions_updated AFTER UPDATE ON interventions BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'intervention', NEW.id, NEW.case_id, organization_id,
           CASE WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'deleted' ELSE 'updated' END
    FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER referrals_created AFTER INSERT ON referrals BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'referral', NEW.id, NEW.case_id, organization_id, 'created' FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER referrals_updated AFTER UPDATE ON referrals BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT 'referral', NEW.id, NEW.case_id, organization_id, 'updated' FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER activations_created AFTER INSERT ON activations BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('activation', NEW.id, NEW.case_id,
            COALESCE((SELECT organization_id FROM cases WHERE id = NEW.case_id), NEW.organization_id), 'created');
END;
CREATE TRIGGER activations_updated AFTER UPDATE ON activations BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('activation', NEW.id, NEW.case_id,
            COALESCE((SELECT organization_id FROM cases WHERE id = NEW.case_id), NEW.organization_id), 'updated');
END;
