//! JSON merge patch (RFC 7396) fields: absent = leave as is, `null` = clear, value = set.

use serde::{Deserialize, Deserializer};

/// For nullable fields: `Some(None)` when the client sent `null`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// For required fields: `null` is an error, not "clear".
pub fn required<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Applies a nullable patch field to a stored value.
pub fn apply<T>(target: &mut Option<T>, patch: Option<Option<T>>) {
    if let Some(v) = patch {
        *target = v;
    }
}

/// Applies a required patch field to a stored value.
pub fn set<T>(target: &mut T, patch: Option<T>) {
    if let Some(v) = patch {
        *target = v;
    }
}
