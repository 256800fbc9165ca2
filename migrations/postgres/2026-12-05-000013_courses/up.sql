-- Language and literacy courses (issue 9): a catalogue of courses with dated sessions and a capacity,
-- enrolments of beneficiaries or their family members with a waiting list, attendance per session.

CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    -- The organizer: its staff manage the course, its enrolments and its register.
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    description TEXT,
    -- The language taught (ISO 639), e.g. 'it'.
    language TEXT NOT NULL,
    level TEXT NOT NULL,
    audience TEXT NOT NULL,
    -- Where it is held: one of the organizer's desks, or a free-text address (or both: a room at the desk).
    desk_id TEXT REFERENCES desks (id),
    place TEXT,
    municipality TEXT,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX courses_organization ON courses (organization_id, starts_on);
CREATE INDEX courses_starts ON courses (starts_on);

CREATE TABLE course_sessions (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    -- Only where it differs from the course's.
    place TEXT,
    topic TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX course_sessions_course ON course_sessions (course_id, starts_at);

CREATE TABLE enrolments (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    -- NULL for the beneficiary of the case.
    family_member_id TEXT REFERENCES family_members (id),
    -- Who takes part: the case id for the beneficiary, the family member's id otherwise.
    person_id TEXT NOT NULL,
    status TEXT NOT NULL,
    enrolled_at TIMESTAMP,
    ended_at TIMESTAMP,
    status_reason TEXT,
    notes TEXT,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The same person once per course, whatever races to enrol them; after withdrawing or dropping out they
-- may enrol again.
CREATE UNIQUE INDEX enrolments_person ON enrolments (course_id, person_id)
    WHERE status IN ('enrolled', 'waiting', 'completed');
-- The course's list in order of enrolment, which is also the waiting list's order (ids are time-ordered).
CREATE INDEX enrolments_course ON enrolments (course_id, id);
CREATE INDEX enrolments_case ON enrolments (case_id);

CREATE TABLE course_attendance (
    session_id TEXT NOT NULL REFERENCES course_sessions (id),
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    course_id TEXT NOT NULL REFERENCES courses (id),
    status TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, enrolment_id)
);
CREATE INDEX course_attendance_enrolment ON course_attendance (enrolment_id);
CREATE INDEX course_attendance_course ON course_attendance (course_id);
