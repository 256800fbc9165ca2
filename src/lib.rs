//! Sportello: the API of a network of integrated immigrant service desks.
//!
//! A request travels http → auth → api (handlers) → domain (rules) → db (repositories).

pub mod api;
pub mod app;
pub mod auth;
pub mod bootstrap;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod memory;
pub mod openapi;
pub mod retention;
pub mod webhooks;
