//! Language and literacy courses: a catalogue of courses with dated sessions and a capacity, enrolments of
//! beneficiaries or their family members (a waiting list past capacity, served first come first served),
//! attendance per session and completion. No SQL here: what moves where, and the arithmetic of places.

code_enum! {
    /// The level a course teaches to. CEFR levels for language courses (pre-A1 for learners starting from
    /// nothing in the language), `literacy` for learning to read and write at all (alfabetizzazione).
    #[schema(example = "a1")]
    CourseLevel {
        /// Learning to read and write, whatever the language level.
        Literacy = "literacy",
        /// Before A1: first words, for learners with little or no schooling.
        PreA1 = "pre_a1",
        A1 = "a1",
        A2 = "a2",
        B1 = "b1",
        B2 = "b2",
        C1 = "c1",
        C2 = "c2",
    }
}

code_enum! {
    /// Whom a course is for.
    #[schema(example = "adults")]
    CourseAudience {
        Adults = "adults",
        Children = "children",
        /// Adults and children together (family courses).
        All = "all",
    }
}

code_enum! {
    /// `planned → running → completed`, `planned | running → cancelled`. Enrolments are taken while the
    /// course is planned or running; completion is recorded once it runs.
    #[schema(example = "planned")]
    CourseStatus {
        /// In the catalogue, not started: enrolments (and the waiting list) are open.
        Planned = "planned",
        /// Under way: late enrolments are still taken, attendance is recorded.
        Running = "running",
        /// Ended: nothing moves any more but the completion of enrolments.
        Completed = "completed",
        /// Called off: its live enrolments are withdrawn.
        Cancelled = "cancelled",
    }
}

impl CourseStatus {
    pub fn can_move_to(self, to: CourseStatus) -> bool {
        use CourseStatus::*;
        matches!((self, to), (Planned, Running) | (Planned | Running, Cancelled) | (Running, Completed))
    }

    /// Whether the course takes enrolments, and promotes from its waiting list.
    pub fn takes_enrolments(self) -> bool {
        matches!(self, CourseStatus::Planned | CourseStatus::Running)
    }

    /// Whether its participants' completion (or dropping out) can be recorded.
    pub fn has_started(self) -> bool {
        matches!(self, CourseStatus::Running | CourseStatus::Completed)
    }
}

code_enum! {
    /// `waiting → enrolled` (a place frees up: automatic, first come first served), `waiting | enrolled →
    /// withdrawn`, `enrolled → completed | dropped_out`.
    #[schema(example = "enrolled")]
    EnrolmentStatus {
        /// Holds a place.
        Enrolled = "enrolled",
        /// On the waiting list: the course was full.
        Waiting = "waiting",
        /// Left before the end, or taken off the waiting list; frees the place.
        Withdrawn = "withdrawn",
        /// Finished the course.
        Completed = "completed",
        /// Stopped coming while the course ran.
        DroppedOut = "dropped_out",
    }
}

code_enum! {
    /// The moves a caller may ask for; enrolling and promotion from the waiting list are the server's.
    #[schema(example = "withdrawn")]
    EnrolmentMove {
        Withdrawn = "withdrawn",
        Completed = "completed",
        DroppedOut = "dropped_out",
    }
}

impl EnrolmentMove {
    pub fn status(self) -> EnrolmentStatus {
        match self {
            EnrolmentMove::Withdrawn => EnrolmentStatus::Withdrawn,
            EnrolmentMove::Completed => EnrolmentStatus::Completed,
            EnrolmentMove::DroppedOut => EnrolmentStatus::DroppedOut,
        }
    }
}

impl EnrolmentStatus {
    pub fn can_move_to(self, to: EnrolmentStatus) -> bool {
        use EnrolmentStatus::*;
        matches!(
            (self, to),
            (Waiting, Enrolled) | (Waiting | Enrolled, Withdrawn) | (Enrolled, Completed | DroppedOut)
        )
    }

    /// Still in the course or waiting for it: the same person cannot be enrolled twice meanwhile.
    pub fn is_live(self) -> bool {
        matches!(self, EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting)
    }

    /// Holds a place against the capacity: enrolled, or finished the course. Withdrawing or dropping out
    /// frees the place for the head of the waiting list.
    pub fn holds_place(self) -> bool {
        matches!(self, EnrolmentStatus::Enrolled | EnrolmentStatus::Completed)
    }

    /// Blocks another enrolment of the same person in the same course (enforced by a unique index).
    pub fn blocks_reenrolment(self) -> bool {
        matches!(self, EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting | EnrolmentStatus::Completed)
    }
}

code_enum! {
    /// A participant at one session.
    #[schema(example = "present")]
    AttendanceStatus {
        Present = "present",
        Absent = "absent",
        /// Absent with a reason given (illness, work, a medical appointment).
        Excused = "excused",
    }
}

/// The largest capacity a course may have.
pub const MAX_CAPACITY: i32 = 500;

/// Whether a new enrolment gets a place, given how many places are held.
pub fn status_on_enrolment(capacity: i32, places_held: i64) -> EnrolmentStatus {
    if places_held < i64::from(capacity) { EnrolmentStatus::Enrolled } else { EnrolmentStatus::Waiting }
}

/// How many from the head of the waiting list get a place: as many as there are free places.
pub fn promotions(capacity: i32, places_held: i64, waiting: usize) -> usize {
    let free = (i64::from(capacity) - places_held).max(0);
    usize::try_from(free).unwrap_or(0).min(waiting)
}

/// Attendance rate in percent, to one decimal: present ÷ sessions recorded (absences excused or not count
/// against it); `None` before anything is recorded.
pub fn attendance_rate(present: i64, recorded: i64) -> Option<f64> {
    (recorded > 0).then(|| (present as f64 * 1000.0 / recorded as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Code;

    #[test]
    fn courses_move_forward_or_are_cancelled() {
        use CourseStatus::*;
        assert!(Planned.can_move_to(Running) && Running.can_move_to(Completed));
        assert!(Planned.can_move_to(Cancelled) && Running.can_move_to(Cancelled));
        for (from, to) in
            [(Planned, Completed), (Completed, Running), (Cancelled, Planned), (Running, Planned)]
        {
            assert!(!from.can_move_to(to), "{from} → {to}");
        }
        assert!(Planned.takes_enrolments() && Running.takes_enrolments());
        assert!(!Completed.takes_enrolments() && !Cancelled.takes_enrolments());
        assert!(!Planned.has_started() && Running.has_started() && Completed.has_started());
    }

    #[test]
    fn enrolments_move_from_the_waiting_list_to_a_place_and_out() {
        use EnrolmentStatus::*;
        assert!(Waiting.can_move_to(Enrolled) && Waiting.can_move_to(Withdrawn));
        assert!(Enrolled.can_move_to(Withdrawn) && Enrolled.can_move_to(Completed));
        assert!(Enrolled.can_move_to(DroppedOut));
        for (from, to) in
            [(Waiting, Completed), (Waiting, DroppedOut), (Withdrawn, Enrolled), (Completed, Withdrawn)]
        {
            assert!(!from.can_move_to(to), "{from} → {to}");
        }
        assert!(Enrolled.is_live() && Waiting.is_live() && !Withdrawn.is_live() && !Completed.is_live());
        assert!(Completed.holds_place() && !Waiting.holds_place() && !Withdrawn.holds_place());
        assert!(
            !DroppedOut.holds_place() && Completed.blocks_reenrolment() && !Withdrawn.blocks_reenrolment()
        );
        for m in EnrolmentMove::ALL {
            assert_eq!(m.as_str(), m.status().as_str());
        }
    }

    #[test]
    fn places_and_the_waiting_list() {
        assert_eq!(status_on_enrolment(2, 1), EnrolmentStatus::Enrolled);
        assert_eq!(status_on_enrolment(2, 2), EnrolmentStatus::Waiting);
        assert_eq!(status_on_enrolment(2, 3), EnrolmentStatus::Waiting);
        assert_eq!(promotions(5, 3, 4), 2);
        assert_eq!(promotions(5, 3, 1), 1);
        assert_eq!(promotions(2, 3, 4), 0);
    }

    #[test]
    fn attendance_rate_in_percent() {
        assert_eq!(attendance_rate(0, 0), None);
        assert_eq!(attendance_rate(2, 3), Some(66.7));
        assert_eq!(attendance_rate(4, 4), Some(100.0));
    }

    #[test]
    fn level_codes() {
        assert_eq!(CourseLevel::parse("pre_a1"), Some(CourseLevel::PreA1));
        assert_eq!(CourseLevel::parse("literacy"), Some(CourseLevel::Literacy));
        assert_eq!(CourseLevel::parse("A1"), None);
    }
}
