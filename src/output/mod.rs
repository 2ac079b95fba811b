//! What commands print: the one output model and its renderers.

pub mod alembic_text;
