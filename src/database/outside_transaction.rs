//! Running a `transaction:false` section: one statement at a time, its progress recorded
//! after each, so that a failure leaves a record of what ran and a rerun continues there; and no
//! section recorded while an index it builds is invalid.

use std::fmt::Write as _;
use std::time::Instant;

use super::apply::{Failure, Runner, connection_lost, elapsed_ms};
use super::failure::describe;
use super::history::{Direction, Progress, Record};
use super::history_writer::Prepared;
use super::index_check;
use super::script::{Origin, Script};

impl Runner<'_> {
    pub(super) fn run_statements(
        &mut self,
        script: &Script<'_>,
        record: &Record<'_>,
        direction: Direction,
        progress: Option<&Progress>,
        started: Instant,
        retrying: &mut dyn FnMut(&str),
    ) -> Result<i64, Failure> {
        let total = script.statement_count();
        if script.bound_lexed.statements.len() != total {
            // A value glued to a word (`x:'V'`) can change how the text splits; never guess.
            return Err(Failure::from(format!(
                "{}: with the variables substituted, the section splits into {} statements instead of {total}; \
                 put a space before each `:'NAME'` and `:\"NAME\"`",
                script.origin,
                script.bound_lexed.statements.len()
            )));
        }
        let start = match progress {
            Some(p) if p.direction == direction => {
                if !script.same_done(p.done, &p.done_sql) {
                    return Err(Failure::from(format!(
                        "{}: this revision stopped part-way before, after statement {} of {}, \
                         and the statements that ran have been edited since\n  \
                         restore them as they were, so the rerun continues at statement {}; \
                         or undo them by hand and run `migrate stamp` to clear the record",
                        script.origin,
                        p.done,
                        total,
                        p.done + 1
                    )));
                }
                p.done
            }
            _ => 0,
        };
        self.client
            .batch_execute(&self.settings_sql(script, false))
            .map_err(|e| {
                Failure::from(format!(
                    "{}: cannot set the timeouts: {}",
                    script.origin,
                    super::describe(&e)
                ))
            })?;
        for index in start..total {
            let statement = &script.bound_lexed.statements[index];
            let mut attempt = 0;
            // A statement that timed out waiting for a lock is tried again by itself.
            while let Err(error) = self
                .client
                .batch_execute(statement.text(&script.bound.text))
            {
                if self.may_retry(&error, attempt) {
                    attempt += 1;
                    if self.before_retry(script, attempt, retrying) {
                        continue;
                    }
                }
                return Err(self.statement_failure(script, record, direction, index, &error));
            }
            if index + 1 < total
                && let Err(error) = prepared(self.prepared.as_ref(), script)?.progress(
                    self.client,
                    record,
                    direction,
                    index + 1,
                    &script.done_sql(index + 1),
                    None,
                )
            {
                return Err(Failure::from(format!(
                    "{}: statement {} ran, but its progress could not be recorded: {}",
                    script.origin,
                    index + 1,
                    super::describe(&error)
                )));
            }
        }
        self.refuse_invalid_indexes(script, record, direction)?;
        let ms = elapsed_ms(started);
        let mut transaction = self
            .client
            .transaction()
            .map_err(|e| Failure::from(super::describe(&e)))?;
        let written = match direction {
            Direction::Up => {
                prepared(self.prepared.as_ref(), script)?.record(&mut transaction, record, ms)
            }
            Direction::Down => {
                prepared(self.prepared.as_ref(), script)?.forget(&mut transaction, record.version)
            }
        };
        written.and_then(|()| transaction.commit()).map_err(|e| {
            Failure::from(format!(
                "{}: every statement ran, but the history row could not be written: {}; \
                     rerun the same command to record it",
                script.origin,
                super::describe(&e)
            ))
        })?;
        Ok(ms)
    }

    /// Words the failure of statement `index` of a `transaction:false` section and records how
    /// far the section got, so that a rerun continues there.
    fn statement_failure(
        &mut self,
        script: &Script<'_>,
        record: &Record<'_>,
        direction: Direction,
        index: usize,
        error: &postgres::Error,
    ) -> Failure {
        let total = script.statement_count();
        let mut message = describe(self.variables, Some(script), error, None, Some(index));
        if connection_lost(self.client, error) {
            let _ = write!(
                message.text,
                "\n  the connection to the server was lost during statement {} of {total} (line {}), \
                 outside a transaction (`transaction:false`): the {index} before it are applied and recorded\n  \
                 check whether statement {} took effect, then rerun the same command: it continues at statement {}",
                index + 1,
                script.statement_line(index),
                index + 1,
                index + 1
            );
            return message;
        }
        // A failed concurrent build leaves its index behind, invalid: say how to drop it.
        let builds = index_check::builds(script);
        if let Some(build) = builds.iter().find(|b| b.statement == index)
            && index_check::invalid(self.client, std::slice::from_ref(build))
                .is_ok_and(|bad| !bad.is_empty())
        {
            let _ = write!(
                message.text,
                "\n  the failed build left the index `{}` behind, invalid: drop it with `{}` before the rerun",
                build.name,
                build.drop_sql()
            );
        }
        let saved = match prepared(self.prepared.as_ref(), script) {
            Ok(statements) => statements
                .progress(
                    self.client,
                    record,
                    direction,
                    index,
                    &script.done_sql(index),
                    Some(&message.text),
                )
                .map_err(|e| super::describe(&e)),
            Err(failure) => Err(failure.text),
        };
        let _ = write!(
            message.text,
            "\n  this revision runs outside a transaction (`transaction:false`): \
             {index} of {total} statements are applied, statement {} (line {}) is not\n  \
             fix the cause and rerun the same command: it continues at statement {}",
            index + 1,
            script.statement_line(index),
            index + 1
        );
        if let Err(e) = saved {
            let _ = write!(
                message.text,
                "\n  warning: the progress could not be recorded: {e}"
            );
        }
        message
    }

    /// Refuses to record a section while an index it builds is invalid, and records the
    /// progress up to that index's statement, so that the rerun builds it again once dropped.
    fn refuse_invalid_indexes(
        &mut self,
        script: &Script<'_>,
        record: &Record<'_>,
        direction: Direction,
    ) -> Result<(), Failure> {
        let builds = index_check::builds(script);
        let invalid = index_check::invalid(self.client, &builds).map_err(|e| {
            Failure::from(format!(
                "{}: cannot check the indexes the revision builds: {}",
                script.origin,
                super::describe(&e)
            ))
        })?;
        let Some(first) = invalid.first() else {
            return Ok(());
        };
        let line = script.statement_line(first.statement);
        let text = format!(
            "{}:{line}: index `{}` is invalid: its build failed or was interrupted, and an \
             `IF NOT EXISTS` rerun skips it, so the revision is not recorded\n  \
             drop it with `{}` (and fix what made the build fail), then rerun the same command: \
             it continues at statement {}, which builds it again",
            script.origin,
            first.name,
            first.drop_sql(),
            first.statement + 1
        );
        let _ = prepared(self.prepared.as_ref(), script)?.progress(
            self.client,
            record,
            direction,
            first.statement,
            &script.done_sql(first.statement),
            Some(&text),
        );
        Err(Failure {
            place: match &script.origin {
                Origin::File(path) => Some((path.clone(), line)),
                Origin::Stored { .. } => None,
            },
            text,
            stop: None,
            sqlstate: None,
        })
    }
}

/// The prepared history statements, which the run prepares before any `transaction:false`
/// section.
fn prepared<'p>(
    prepared: Option<&'p Prepared>,
    script: &Script<'_>,
) -> Result<&'p Prepared, Failure> {
    prepared.ok_or_else(|| {
        Failure::from(format!(
            "{}: the history statements were not prepared before a `transaction:false` section",
            script.origin
        ))
    })
}
