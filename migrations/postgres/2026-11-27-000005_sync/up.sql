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
-- transaction numbers its rows just before it commits (db::changes::assign_sequence) while holding the
-- counter row's lock, so sequence order is commit order: a reader that has seen seq n has seen every
-- change below n, whatever ran concurrently. `id` only orders the rows inside one transaction.
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TABLE changes (
    id BIGSERIAL PRIMARY KEY,
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

CREATE FUNCTION change_kind(old_deleted TIMESTAMP, new_deleted TIMESTAMP) RETURNS TEXT AS $$
    SELECT CASE WHEN old_deleted IS NULL AND new_deleted IS NOT NULL THEN 'deleted' ELSE 'updated' END
$$ LANGUAGE sql IMMUTABLE;

CREATE FUNCTION record_case_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
        VALUES ('case', NEW.id, NEW.id, NEW.organization_id, 'created');
        RETURN NULL;
    END IF;
    IF NEW.organization_id <> OLD.organization_id THEN
        -- The old owner's feed loses the case; the new owner's receives it with everything attached.
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
    END IF;
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('case', NEW.id, NEW.id, NEW.organization_id,
            CASE WHEN OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL THEN 'erased'
                 ELSE change_kind(OLD.deleted_at, NEW.deleted_at) END);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER cases_changes AFTER INSERT OR UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION record_case_change();

-- Family members, interventions and referrals: rows of a case, shown to the case's owner.
CREATE FUNCTION record_case_row_change() RETURNS trigger AS $$
DECLARE
    kind TEXT := 'created';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- Separate statements: PL/pgSQL would reject OLD.deleted_at on referrals (no such column).
        IF TG_TABLE_NAME = 'referrals' THEN
            kind := 'updated';
        ELSE
            kind := change_kind(OLD.deleted_at, NEW.deleted_at);
        END IF;
    END IF;
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    SELECT TG_ARGV[0], NEW.id, NEW.case_id, c.organization_id, kind FROM cases c WHERE c.id = NEW.case_id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER family_members_changes AFTER INSERT OR UPDATE ON family_members
    FOR EACH ROW EXECUTE FUNCTION record_case_row_change('family_member');
CREATE TRIGGER interventions_changes AFTER INSERT OR UPDATE ON interventions
    FOR EACH ROW EXECUTE FUNCTION record_case_row_change('intervention');
CREATE TRIGGER referrals_changes AFTER INSERT OR UPDATE ON referrals
    FOR EACH ROW EXECUTE FUNCTION record_case_row_change('referral');

CREATE FUNCTION record_activation_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO changes (resource_type, resource_id, case_id, organization_id, change)
    VALUES ('activation', NEW.id, NEW.case_id,
            COALESCE((SELECT organization_id FROM cases WHERE id = NEW.case_id), NEW.organization_id),
            CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER activations_changes AFTER INSERT OR UPDATE ON activations
    FOR EACH ROW EXECUTE FUNCTION record_activation_change();
