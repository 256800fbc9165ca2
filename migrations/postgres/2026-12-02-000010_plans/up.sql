-- Needs assessment and individual plan (progetto individualizzato), issue 9.

-- An organization may require a coordinator's approval of every individual plan.
ALTER TABLE organizations ADD COLUMN plans_need_approval BOOLEAN NOT NULL DEFAULT FALSE;

-- Assessments are append-only: a new assessment of the same case is the next version, the history stays.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    -- 1, 2, 3… within the case.
    version BIGINT NOT NULL,
    assessed_on DATE NOT NULL,
    assessor_id TEXT NOT NULL REFERENCES users (id),
    summary TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, version)
);

-- One row per assessed domain, so that statistics and queries can count levels by domain.
CREATE TABLE assessment_domains (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    -- The assessment's version, repeated: the latest assessment's domains are one index walk by case.
    version BIGINT NOT NULL,
    domain TEXT NOT NULL,
    level TEXT NOT NULL,
    notes TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (assessment_id, domain)
);
CREATE INDEX assessment_domains_case_version ON assessment_domains (case_id, version);
CREATE INDEX assessment_domains_domain_level ON assessment_domains (domain, level);

CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    assessment_id TEXT REFERENCES assessments (id),
    starts_on DATE NOT NULL,
    review_on DATE NOT NULL,
    notes TEXT,
    agreed_on DATE,
    agreement_signed BOOLEAN,
    approval_required BOOLEAN NOT NULL,
    approved_at TIMESTAMP,
    approved_by TEXT REFERENCES users (id),
    outcome TEXT,
    outcome_note TEXT,
    closed_at TIMESTAMP,
    created_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plans_case ON plans (case_id, id);
-- Worklist: plans still in force whose review date has passed.
CREATE INDEX plans_review ON plans (review_on) WHERE closed_at IS NULL AND deleted_at IS NULL;

CREATE TABLE plan_goals (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    domain TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_goals_plan ON plan_goals (plan_id, id);

CREATE TABLE plan_actions (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    goal_id TEXT REFERENCES plan_goals (id),
    description TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    -- A user (operator), an organization, a provider or a professional, by owner_kind.
    owner_id TEXT NOT NULL,
    due_on DATE,
    status TEXT NOT NULL,
    completed_on DATE,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_actions_plan ON plan_actions (plan_id, id);
-- Worklist: open actions (status planned or in_progress, bound as parameters) past their due date.
CREATE INDEX plan_actions_status_due ON plan_actions (status, due_on);
