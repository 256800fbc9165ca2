DROP TABLE plan_actions;
DROP TABLE plan_goals;
DROP TABLE plans;
DROP TABLE assessment_domains;
DROP TABLE assessments;
ALTER TABLE organizations DROP COLUMN plans_need_approval;
