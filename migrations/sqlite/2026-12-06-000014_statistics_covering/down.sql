CREATE INDEX interventions_occurred ON interventions (occurred_on);
DROP INDEX cases_live;
DROP INDEX interventions_stats;
