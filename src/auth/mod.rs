//! Who is calling and what they may do: tokens, passwords, the principal extractor and the policy.

pub mod clients;
pub mod password;
pub mod policy;
pub mod principal;
pub mod session;
pub mod tokens;

pub use policy::Action;
pub use principal::Principal;
