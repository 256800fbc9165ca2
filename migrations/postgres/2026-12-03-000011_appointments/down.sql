DROP TABLE appointments;
DROP TABLE desk_closures;
ALTER TABLE desks DROP COLUMN appointment_minutes;
