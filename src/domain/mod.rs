//! Domain rules and types: codes, states and transitions, identity checks. No HTTP, no SQL.

#[macro_use]
mod code_enum;

pub mod account;
pub mod case;
pub mod country;
pub mod desk;
pub mod family;
pub mod intervention;
pub mod language;
pub mod organization;
pub mod person;
pub mod role;
pub mod tax_code;
pub mod text;

pub use code_enum::Code;
