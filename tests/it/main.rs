//! The integration tests: one binary, one module per area, so the crate is linked once.
//!
//! Every test runs the real `migrate` binary. The database tests use a real PostgreSQL server
//! (`common/server.rs`), the Alembic tests the real `alembic`, the hook tests the real
//! `pre-commit`; where one is missing, they fail and say what is missing.
#![allow(clippy::unwrap_used)]

mod common;

mod action;
mod adoption;
mod alembic;
mod alembic_database;
mod alembic_labels;
mod alembic_oracle;
mod base;
mod check;
mod commands;
mod confined_writes;
mod database;
mod database_output;
mod dbmate_oracle;
mod discovery;
mod django;
mod django_oracle;
mod example_database;
mod fleet;
mod fleet_scenarios;
mod hostile_names;
mod house;
mod incident;
mod kubernetes;
mod layers;
mod layout_scenarios;
mod layouts;
mod layouts_real;
mod lint;
mod majors;
mod merge;
mod npm_package;
mod operations;
mod poolers;
mod pre_commit;
mod pre_commit_wheel;
mod rebase;
mod references;
mod refinery_oracle;
mod release;
mod robustness;
mod round_trip;
mod scenarios;
mod secrets;
mod settings;
mod shipped;
mod splitter;
mod squawk_oracle;
mod tls;
mod tool_tables;
mod verify;
mod verify_kill;
mod verify_majors;
mod verify_shared;
mod wheel;
