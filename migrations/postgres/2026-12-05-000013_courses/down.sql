DROP TABLE course_attendance;
DROP TABLE enrolments;
DROP TABLE course_sessions;
DROP TABLE courses;
