-- Desk appointments: slots of a fixed length inside the desk's opening hours, except on its closures.
ALTER TABLE desks ADD COLUMN appointment_minutes INTEGER NOT NULL DEFAULT 30;

-- Days a desk is closed (holidays, a summer break), both included.
CREATE TABLE desk_closures (
    id TEXT PRIMARY KEY,
    desk_id TEXT NOT NULL REFERENCES desks (id),
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX desk_closures_desk ON desk_closures (desk_id, last_day);

-- The person is a case, or a name and a phone number for someone without a case file.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    desk_id TEXT NOT NULL REFERENCES desks (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    case_id TEXT REFERENCES cases (id),
    person_name TEXT,
    phone TEXT,
    topic TEXT,
    notes TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    booked_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- No double booking: one live appointment per desk and start, whatever races to book it.
CREATE UNIQUE INDEX appointments_slot ON appointments (desk_id, starts_at) WHERE status <> 'cancelled';
CREATE INDEX appointments_desk_starts ON appointments (desk_id, starts_at);
CREATE INDEX appointments_case ON appointments (case_id) WHERE case_id IS NOT NULL;
