//! A revision's id: a number, a Flyway version, or a name, and how ids compare.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A revision id as written. A number (`040`) compares as an integer: `40` and `040` are equal.
/// Any other id (Alembic's `ae1027a6acf`) is a name, equal only to itself, and sorts after
/// every number.
///
/// Numbers are compared on their digits rather than parsed, so no length overflows.
#[derive(Debug, Clone)]
pub(crate) struct RevisionId {
    text: String,
    kind: Kind,
}

/// How an id compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    /// Digits, compared as an integer.
    Number,
    /// Flyway's dotted (or underscored) version, `1.2.10`: compared part by part, each as an
    /// integer, trailing zero parts ignored (`1.0` is `1`), as Flyway compares them.
    Dotted,
    /// Anything else, compared as written.
    Name,
}

impl RevisionId {
    /// Wraps a string of ASCII digits; `None` for anything else.
    #[must_use]
    pub(crate) fn parse(text: &str) -> Option<RevisionId> {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| RevisionId {
            text: text.to_owned(),
            kind: Kind::Number,
        })
    }

    /// Wraps a Flyway version, digits separated by `.` or `_` (`1.2`, `1_2`, `7`); `None` for
    /// anything else. The text keeps the separators as written; comparing uses the parts.
    #[must_use]
    pub(crate) fn dotted(text: &str) -> Option<RevisionId> {
        let parts_ok = text
            .split(['.', '_'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        (!text.is_empty() && parts_ok).then(|| RevisionId {
            text: text.to_owned(),
            kind: Kind::Dotted,
        })
    }

    /// A dotted id's parts without zero-padding, trailing zero parts dropped (`1.0` is `1`).
    fn parts(&self) -> Vec<&str> {
        let mut parts: Vec<&str> = self.text.split(['.', '_']).map(significant).collect();
        while parts.len() > 1 && parts.last() == Some(&"0") {
            parts.pop();
        }
        parts
    }

    /// An id that is a name, compared as written even when it is made of digits: Alembic's
    /// `040` and `40` are two revisions.
    #[must_use]
    pub(crate) fn name(text: &str) -> RevisionId {
        RevisionId {
            text: text.to_owned(),
            kind: Kind::Name,
        }
    }

    /// Whether the id is a number, so the numbering rules apply to it.
    #[must_use]
    pub(crate) fn is_number(&self) -> bool {
        self.kind == Kind::Number
    }

    /// What equality and hashing look at: the digits without padding, the dotted parts, or the
    /// name.
    fn key(&self) -> std::borrow::Cow<'_, str> {
        match self.kind {
            Kind::Number => self.significant().into(),
            Kind::Dotted => self.parts().join(".").into(),
            Kind::Name => self.text.as_str().into(),
        }
    }

    /// The id as written, zero-padding included.
    #[must_use]
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// How many digits were written.
    #[must_use]
    pub(crate) fn width(&self) -> usize {
        self.text.len()
    }

    /// The digits without zero-padding (`0` stays `0`).
    #[must_use]
    pub(crate) fn significant(&self) -> &str {
        significant(&self.text)
    }

    /// Whether the id is written with leading zeros.
    #[must_use]
    pub(crate) fn is_padded(&self) -> bool {
        self.significant().len() < self.text.len()
    }

    /// The next Flyway version above this one: its first part plus one (`1.2` -> `2`).
    #[must_use]
    pub(crate) fn next_major(&self) -> RevisionId {
        let first = self.text.split(['.', '_']).next().unwrap_or_default();
        let next = RevisionId::parse(first).map_or_else(|| "1".to_owned(), |n| n.successor(1).text);
        RevisionId {
            text: next,
            kind: Kind::Dotted,
        }
    }

    /// The next number, written with at least `width` digits.
    #[must_use]
    pub(crate) fn successor(&self, width: usize) -> RevisionId {
        let mut digits: Vec<u8> = self.significant().bytes().collect();
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
        let text: String = digits.into_iter().map(char::from).collect();
        RevisionId {
            text: format!("{text:0>width$}"),
            kind: Kind::Number,
        }
    }
}

impl PartialEq for RevisionId {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.key() == other.key()
    }
}

impl Eq for RevisionId {}

impl Hash for RevisionId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.key().hash(state);
    }
}

impl Ord for RevisionId {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.kind, other.kind) {
            (Kind::Number, Kind::Number) => numeric(self.significant(), other.significant()),
            (Kind::Dotted, Kind::Dotted) => {
                let (a, b) = (self.parts(), other.parts());
                for (x, y) in a.iter().zip(&b) {
                    let order = numeric(x, y);
                    if order != Ordering::Equal {
                        return order;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Kind::Name, Kind::Name) => self.text.cmp(&other.text),
            (a, b) => a.cmp(&b),
        }
    }
}

impl PartialOrd for RevisionId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Digits without zero-padding (`0` stays `0`).
fn significant(digits: &str) -> &str {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        &digits[digits.len().saturating_sub(1)..]
    } else {
        trimmed
    }
}

/// Two unpadded digit strings compared as integers, whatever their length.
fn numeric(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> RevisionId {
        RevisionId::parse(s).unwrap()
    }

    #[test]
    fn compares_as_integers() {
        assert_eq!(id("40"), id("040"));
        assert!(id("039") < id("40"));
        assert!(id("999") < id("1000"));
        assert!(id("0") < id("1"));
        assert_eq!(id("000").significant(), "0");
    }

    #[test]
    fn rejects_non_digits() {
        assert!(RevisionId::parse("").is_none());
        assert!(RevisionId::parse("04a").is_none());
        assert!(RevisionId::parse("-1").is_none());
    }

    #[test]
    fn successor_keeps_width() {
        assert_eq!(id("039").successor(3).as_str(), "040");
        assert_eq!(id("099").successor(3).as_str(), "100");
        assert_eq!(id("999").successor(3).as_str(), "1000");
        assert_eq!(id("9").successor(1).as_str(), "10");
        assert_eq!(id("0").successor(4).as_str(), "0001");
    }

    #[test]
    fn dotted_versions_compare_part_by_part() {
        let v = |s: &str| RevisionId::dotted(s).unwrap();
        assert!(v("1.2") < v("1.10"));
        assert!(v("1") < v("1.1"));
        assert!(v("1.1") < v("2"));
        assert_eq!(v("1.0"), v("1"));
        assert_eq!(v("1_1"), v("1.1"));
        assert_eq!(v("01.2"), v("1.2"));
        assert!(RevisionId::dotted("1..2").is_none());
        assert!(RevisionId::dotted("1.a").is_none());
        assert!(RevisionId::dotted("").is_none());
    }

    #[test]
    fn padding() {
        assert!(id("040").is_padded());
        assert!(!id("40").is_padded());
        assert!(!id("0").is_padded());
    }
}
