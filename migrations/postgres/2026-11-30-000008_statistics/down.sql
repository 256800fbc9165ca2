DROP INDEX activations_organization_requested;
DROP INDEX activations_requested;
DROP INDEX referrals_sender_requested;
DROP INDEX referrals_requested;
DROP INDEX interventions_occurred;
DROP INDEX cases_organization_created;
