//! Numbers as people read them: plurals and durations, the one place each is made.

use std::time::Duration;

/// `1 error`, `2 errors`: the one place plurals are made.
#[must_use]
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `830 ms`, `2.41 s`, `3 min 5 s`: a duration as people read it.
#[must_use]
pub(crate) fn human_duration(took: Duration) -> String {
    let ms = took.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.2} s", took.as_secs_f64())
    } else {
        let secs = took.as_secs();
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_duration(Duration::from_millis(830)), "830 ms");
        assert_eq!(human_duration(Duration::from_millis(2410)), "2.41 s");
        assert_eq!(human_duration(Duration::from_secs(185)), "3 min 5 s");
    }
}
