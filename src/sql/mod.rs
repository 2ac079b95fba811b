//! SQL text: the statement lexer, psql variables and the one place identifiers and literals are quoted.

pub mod lexer;
pub mod quote;
pub mod variables;

pub use lexer::{Lexed, lex, line_of};
pub use variables::{Bound, Variables};
