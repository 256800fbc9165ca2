-- The inactive-cases worklist asks, for each open case, whether a live intervention exists on or after a
-- day: one seek on (case_id, occurred_on) instead of a walk through the case's interventions.
CREATE INDEX interventions_case_occurred ON interventions (case_id, occurred_on);
