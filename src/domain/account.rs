//! User accounts: usernames and the login lockout rule.

use chrono::{Duration, NaiveDateTime};

/// Five failures within fifteen minutes lock the account for fifteen minutes.
pub const MAX_FAILURES: i32 = 5;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
pub const LOCK_MINUTES: i64 = 15;

/// Usernames: 3–64 characters, lowercase letters, digits, `.`, `_`, `-`; stored lowercase.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

pub fn validate_username(raw: &str) -> Result<(), validator::ValidationError> {
    // Checked as typed, before normalising, so that the spec's pattern says exactly what is accepted.
    let ok = (3..=64).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_alphanumeric())
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("format").with_message(
            "3 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit".into(),
        ))
    }
}

/// The failure bookkeeping of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    pub count: i32,
    pub first_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
}

impl LoginFailures {
    pub fn is_locked(&self, now: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// The state after one more failure, and whether this failure locked the account.
    pub fn after_failure(self, now: NaiveDateTime) -> (LoginFailures, bool) {
        let in_window =
            self.first_at.is_some_and(|first| now - first < Duration::minutes(FAILURE_WINDOW_MINUTES));
        let (count, first_at) = if in_window { (self.count + 1, self.first_at) } else { (1, Some(now)) };
        if count >= MAX_FAILURES {
            let locked = LoginFailures {
                count: 0,
                first_at: None,
                locked_until: Some(now + Duration::minutes(LOCK_MINUTES)),
            };
            (locked, true)
        } else {
            (LoginFailures { count, first_at, locked_until: self.locked_until }, false)
        }
    }
}

/// Every role but `integration` belongs to people; machine accounts have their own endpoint.
pub fn check_user_role(role: crate::domain::role::Role) -> crate::error::Result<()> {
    if role == crate::domain::role::Role::Integration {
        Err(crate::error::Error::invalid(
            "role",
            "not_a_user",
            "integration clients are made with POST /api/v1/integration-clients",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc() + Duration::minutes(minutes)
    }

    #[test]
    fn five_failures_in_the_window_lock_for_fifteen_minutes() {
        let mut s = LoginFailures::default();
        for i in 0..4 {
            let (next, locked) = s.after_failure(t(i));
            assert!(!locked);
            s = next;
        }
        let (s, locked) = s.after_failure(t(4));
        assert!(locked);
        assert!(s.is_locked(t(18)));
        assert!(!s.is_locked(t(19)));
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let mut s = LoginFailures::default();
        for i in 0..4 {
            s = s.after_failure(t(i)).0;
        }
        let (s, locked) = s.after_failure(t(20));
        assert!(!locked);
        assert_eq!(s.count, 1);
    }

    #[test]
    fn usernames() {
        assert!(validate_username("m.rossi").is_ok());
        assert!(validate_username("Admin").is_ok());
        assert!(validate_username("ab").is_err());
        assert!(validate_username("-abc").is_err());
        assert!(validate_username("a b c").is_err());
    }
}
