-- Statistics select a period's rows by their date, for one organization or for the whole network
-- (see src/db/stats.rs for the plans these serve).
CREATE INDEX cases_organization_created ON cases (organization_id, created_at);
CREATE INDEX interventions_occurred ON interventions (occurred_on);
CREATE INDEX referrals_requested ON referrals (requested_at);
CREATE INDEX referrals_sender_requested ON referrals (sender_organization_id, requested_at);
CREATE INDEX activations_requested ON activations (requested_at);
CREATE INDEX activations_organization_requested ON activations (organization_id, requested_at);
