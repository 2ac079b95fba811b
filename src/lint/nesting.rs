//! How deeply a statement nests, estimated without parsing it: squawk's parser and rules take
//! time in the square of the nesting (20,000 levels of `(` take over a second in a release
//! build), so lint refuses to hand them SQL nested deeper than any migration is.

/// Brackets and `CASE ... END` open a level, and so does each prefix operator in a run of them
/// (`- - - 1`, `NOT NOT x`); quoted text and comments are skipped. An estimate from above for
/// the shapes that nest, exact enough to tell a real statement (tens of levels) from a hostile
/// one (thousands).
#[must_use]
pub(super) fn deepest(sql: &str) -> usize {
    let bytes = sql.as_bytes();
    let (mut depth, mut deepest, mut run) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' | b'"' => {
                i = skip_quoted(bytes, i, b);
                run = 0;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + n + 4);
            }
            b'(' | b'[' => {
                depth += 1;
                run = 0;
                i += 1;
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                run = 0;
                i += 1;
            }
            b'+' | b'-' | b'*' | b'/' | b'<' | b'>' | b'=' | b'~' | b'!' | b'@' | b'#' | b'%'
            | b'^' | b'&' | b'|' => {
                run += 1;
                i += 1;
            }
            _ if b.is_ascii_alphanumeric() || b == b'_' => {
                let end = bytes[i..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .map_or(bytes.len(), |n| i + n);
                let word = &bytes[i..end];
                if word.eq_ignore_ascii_case(b"case") {
                    depth += 1;
                    run = 0;
                } else if word.eq_ignore_ascii_case(b"end") {
                    depth = depth.saturating_sub(1);
                    run = 0;
                } else if word.eq_ignore_ascii_case(b"not") {
                    run += 1;
                } else {
                    run = 0;
                }
                i = end;
            }
            _ => i += 1,
        }
        deepest = deepest.max(depth + run);
    }
    deepest
}

/// The index just past the quoted text starting at `start` (a doubled quote stays inside).
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::deepest;

    #[test]
    fn counts_brackets_case_and_prefix_runs_but_not_text() {
        assert_eq!(deepest("select 1"), 0);
        assert_eq!(deepest("select ((1))"), 2);
        assert_eq!(deepest("select - - - 1"), 3);
        assert_eq!(deepest("select not not x"), 2);
        assert_eq!(
            deepest("select case when a then case when b then 1 end end"),
            2
        );
        assert_eq!(deepest("select '((((', \"((\" -- ((((\n /* (((( */"), 0);
        assert_eq!(deepest("insert into t values (1, 2), (3, 4), (5, 6)"), 1);
        assert_eq!(deepest("select 1 + 2 + 3"), 1);
        assert_eq!(deepest("select 'a' || 'b' || 'c'"), 2);
    }
}
