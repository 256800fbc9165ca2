-- Reading the audit trail: a coordinator's view (their organization's people, newest first) and a resource's
-- history.
CREATE INDEX audit_events_actor_organization ON audit_events (actor_organization_id, id);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id);
