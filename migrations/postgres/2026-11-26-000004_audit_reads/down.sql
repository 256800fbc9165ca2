DROP INDEX audit_events_resource;
DROP INDEX audit_events_actor_organization;
