//! Domain rules and types: codes, states and transitions, identity checks. No HTTP, no SQL.

#[macro_use]
mod code_enum;

pub mod account;
pub mod appointment;
pub mod care;
pub mod case;
pub mod change;
pub mod consent;
pub mod contact;
pub mod country;
pub mod course;
pub mod desk;
pub mod document;
pub mod duplicate;
pub mod erasure;
pub mod family;
pub mod grant;
pub mod intervention;
pub mod language;
pub mod local_time;
pub mod organization;
pub mod person;
pub mod plan;
pub mod professional;
pub mod provider;
pub mod referral;
pub mod role;
pub mod stats;
pub mod tax_code;
pub mod text;
pub mod transfer;
pub mod webhook;

pub use code_enum::{Code, distinct};
