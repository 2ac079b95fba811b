//! SQL text: the statement lexer, psql variables and the one place identifiers and literals are quoted.

pub(crate) mod lexer;
pub(crate) mod quote;
pub(crate) mod variables;

pub(crate) use lexer::{Lexed, lex, line_of};
pub(crate) use variables::{Bound, Variables};
