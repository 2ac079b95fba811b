//! `migrate check`: every finding about every tree, with `migrate.toml`'s rule settings and
//! the files' suppressions applied; `--fix` first repairs what can be repaired safely, and
//! `--new-only` leaves out what the base already had.

use std::collections::BTreeMap;

use crate::Error;
use crate::cli::CheckArgs;
use crate::collision::base_branch::Base;
use crate::collision::file_walk::TextFiles;
use crate::collision::git::Git;
use crate::collision::head_file::HeadFile;
use crate::collision::neighbours::Neighbours;
use crate::collision::{atomic, fix, new_only, references, shipped};
use crate::diagnostic::{Diagnostic, Rule, Severity, Sources, suppress};
use crate::lint;
use crate::output::{Body, Change, Fixes, Progress, Report, TreeCount};
use crate::project::Project;
use crate::revision::DirFormat;
use crate::revision::{Revises, RevisionId};
use crate::settings::Settings;

pub(super) fn run(
    settings: &Settings,
    args: &CheckArgs,
    progress: &mut Progress,
) -> Result<Report, Error> {
    if args.new_only && args.base.is_none() {
        return Err(Error::Usage(
            "`--new-only` needs `--base REF`: the findings the base already has are left out"
                .to_owned(),
        ));
    }
    let trees: Vec<Settings> = if settings.trees.is_empty() {
        vec![settings.clone()]
    } else {
        settings
            .trees
            .iter()
            .map(|t| settings.for_tree(t))
            .collect()
    };
    let mut diagnostics = Vec::new();
    let mut sources = Sources::new();
    let mut counts = Vec::new();
    let mut changes: Vec<Change> = Vec::new();
    // A suppression outside the migrations (in the README, say) is read by every tree's scan
    // and used by one of them at most: it is unused only when every tree that read it says so.
    let mut read: BTreeMap<(String, usize, usize), usize> = BTreeMap::new();
    let mut unused: BTreeMap<(String, usize, usize), (usize, Diagnostic)> = BTreeMap::new();
    // The repository is walked and read once: by the first tree's scan when there is one tree
    // (which then skips its own migrations), for all at once when there are several.
    let scanned = args.fix || !args.no_references;
    let mut files: Option<TextFiles> = None;
    let mut neighbours = Neighbours::default();
    if scanned && trees.len() > 1 {
        files = Some(repository_files(settings, None, progress)?);
        neighbours = Neighbours::of(&trees);
    }
    for tree in &trees {
        if args.fix {
            match fix_tree(tree, args, (&mut files, &neighbours), progress)? {
                Ok(fixed) => changes.extend(fixed),
                Err(refusal) => diagnostics.push(*refusal),
            }
        }
        let checked = check_tree(tree, args, (&mut files, &neighbours), progress)?;
        counts.push(TreeCount {
            dir: tree.display_dir.clone(),
            revisions: checked.project.revisions.len(),
            heads: checked.project.graph.heads().len(),
        });
        for place in checked.read {
            *read.entry(place).or_default() += 1;
        }
        for diagnostic in checked.diagnostics {
            match diagnostic
                .location
                .as_ref()
                .filter(|_| diagnostic.rule == Rule::UnusedIgnore)
            {
                Some(at) => {
                    let place = (at.path.clone(), at.line, at.column);
                    unused.entry(place).or_insert((0, diagnostic)).0 += 1;
                }
                None => diagnostics.push(diagnostic),
            }
        }
        sources.extend(checked.project.sources);
    }
    if let Some(files) = &files {
        diagnostics.extend(atomic::leftovers(&files.files));
    }
    diagnostics.extend(
        unused
            .into_iter()
            .filter(|(place, (count, _))| read.get(place).is_none_or(|r| count >= r))
            .map(|(_, (_, diagnostic))| diagnostic),
    );
    let diagnostics = settings.rules.apply(diagnostics);
    let body = Body::Check {
        revisions: counts.iter().map(|c| c.revisions).sum(),
        heads: counts.iter().map(|c| c.heads).sum(),
        trees: counts,
        fixes: args.fix.then_some(Fixes {
            dry_run: args.dry_run,
            changes,
        }),
        linted: None,
    };
    let mut report = Report::new("check", body).with_findings(&sources, diagnostics);
    if args.strict && report.count(Severity::Warning) > 0 {
        report.fail();
    }
    Ok(report)
}

/// One tree checked: the tree as judged (merged with the base under `--base`) and its findings,
/// suppressions applied.
struct Checked {
    project: Project,
    diagnostics: Vec<Diagnostic>,
    /// Where the suppressions it read are written.
    read: Vec<(String, usize, usize)>,
}

/// `--fix` on one tree, on the repository's files read once (read here for the first tree when
/// there is one), which then hold what it wrote: under `--dry-run` too, so that the next tree's
/// diff applies after this one's.
fn fix_tree(
    tree: &Settings,
    args: &CheckArgs,
    (files, neighbours): (&mut Option<TextFiles>, &Neighbours),
    progress: &mut Progress,
) -> Result<Result<Vec<Change>, Box<Diagnostic>>, Error> {
    let project = Project::load(tree)?;
    let git = Git::discover(&tree.dir);
    let shipped = super::shipped::load(tree, &project, git.as_ref(), progress)?;
    let all = match files {
        Some(all) => all,
        None => files.insert(repository_files(tree, Some(&project), progress)?),
    };
    let share = all.share(&neighbours.with(&project));
    let found = neighbours.find(&project, &share);
    let fixed = match fix::run(
        tree,
        &project,
        &shipped,
        (&share, found),
        args.dry_run,
        progress,
    )? {
        Ok(fixed) => fixed,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut changes = Vec::with_capacity(fixed.len());
    for (real, change) in fixed {
        all.rewritten(&real, &change.after);
        changes.push(change);
    }
    Ok(Ok(changes))
}

/// The repository's text files, walked and read; what cannot be read is named as a warning.
/// With a tree's project, its own migrations are left out; without one, every file is read.
fn repository_files(
    settings: &Settings,
    project: Option<&Project>,
    progress: &mut Progress,
) -> Result<TextFiles, Error> {
    let files = match project {
        Some(project) => references::repository_files(settings, project)?,
        None => references::all_files(settings)?,
    };
    for skipped in &files.skipped {
        progress.warn(&format!("the stale-reference scan skips {skipped}"));
    }
    Ok(files)
}

/// Checks one tree. `files` are the repository's, when read already; when not, the tree's
/// scan reads them and leaves them there.
fn check_tree(
    settings: &Settings,
    args: &CheckArgs,
    (files, neighbours): (&mut Option<TextFiles>, &Neighbours),
    progress: &mut Progress,
) -> Result<Checked, Error> {
    let mut project = Project::load(settings)?;
    let mut found = HeadFile::load(settings)?.diagnostics(&project);
    let mut suppressions: Vec<_> = project
        .sources
        .iter()
        .flat_map(|(path, text)| suppress::find(path, text))
        .collect();
    // Other tools' files are not renumbered by hand with their references left behind the way
    // migrate's own are, and their names (a version and a title, a slug shared by test data
    // and README examples) make the scan's near matches mostly wrong: on 33 real repositories
    // almost every one of its findings on such trees was (see README).
    let foreign = matches!(project.format, DirFormat::Linear(_) | DirFormat::Django);
    if !args.no_references && !foreign {
        let all = match files {
            Some(all) => all,
            None => files.insert(repository_files(settings, Some(&project), progress)?),
        };
        let share = all.share(&neighbours.with(&project));
        let scan = references::check(&project, &share, neighbours.find(&project, &share));
        found.extend(scan.diagnostics);
        project.sources.extend(scan.sources);
        suppressions.extend(scan.suppressions);
    }
    // With a base, the graph rules judge the tree that merging it would produce. Without one,
    // a parent missing here but present on the shipped base makes that the base: the branch
    // was renumbered after it (`rebase --onto`) and will be merged into it.
    let (base, implicit) = match &args.base {
        Some(reference) => (
            Some(Base::load(settings, reference, project.format)?),
            false,
        ),
        None => (implicit_base(settings, &project, progress)?, true),
    };
    let (project, base) = if let Some(base) = base {
        let comparison = base.compare(project);
        found.extend(comparison.diagnostics);
        // Only what this branch adds is linted: what the base has has shipped.
        if args.no_lint || implicit {
            unlinted(&mut suppressions);
            found.extend(refused_in_transaction(
                settings,
                args,
                &comparison.merged,
                &[],
            ));
        } else {
            let context = lint::Context::new(settings, &args.deploy);
            found.extend(lint::lint(&context, &comparison.merged, &comparison.added));
            found.extend(refused_in_transaction(
                settings,
                args,
                &comparison.merged,
                &comparison.added,
            ));
        }
        (comparison.merged, Some(base))
    } else {
        unlinted(&mut suppressions);
        found.extend(refused_in_transaction(settings, args, &project, &[]));
        (project, None)
    };
    let mut diagnostics = project.diagnostics();
    diagnostics.extend(found);
    let mut diagnostics = suppress::apply(diagnostics, &suppressions);
    if args.new_only
        && let Some(base) = &base
    {
        diagnostics = new_only::new_findings(base, diagnostics, !args.no_references);
    }
    let read = suppressions
        .iter()
        .map(|s| {
            let (path, line, column) = s.place();
            (path.to_owned(), line, column)
        })
        .collect();
    Ok(Checked {
        project,
        diagnostics,
        read,
    })
}

/// The shipped ref that holds every parent missing here, when one does; `None` when no parent
/// is missing, outside git, or when no shipped ref has them all.
fn implicit_base(
    settings: &Settings,
    project: &Project,
    progress: &mut Progress,
) -> Result<Option<Base>, Error> {
    let missing: Vec<&RevisionId> = project
        .revisions
        .iter()
        .flat_map(|r| match &r.revises {
            Revises::Parents(parents) => parents.as_slice(),
            Revises::Root | Revises::Unknown => &[],
        })
        .map(|p| &p.id)
        .filter(|id| project.graph.lookup(id).is_empty())
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let Some(git) = Git::discover(&settings.dir) else {
        return Ok(None);
    };
    for (reference, _) in shipped::refs(&git, settings.base.as_deref())? {
        let base = Base::load(settings, &reference, project.format)?;
        if missing
            .iter()
            .all(|id| !base.project.graph.lookup(id).is_empty())
        {
            progress.note(&format!(
                "`{}` is not here but is on `{reference}`, read through git: judged as merged with `{reference}`",
                missing[0]
            ));
            return Ok(Some(base));
        }
    }
    Ok(None)
}

/// `concurrently-in-transaction` on every revision that lint did not read (`linted`): a statement
/// PostgreSQL always refuses in a transaction block belongs in the default gate.
fn refused_in_transaction(
    settings: &Settings,
    args: &CheckArgs,
    project: &Project,
    linted: &[usize],
) -> Vec<Diagnostic> {
    let context = lint::Context::new(settings, &args.deploy);
    let mut found = lint::refused_in_transaction(&context, project);
    if !linted.is_empty() {
        let linted: std::collections::BTreeSet<&str> = linted
            .iter()
            .map(|&n| project.revisions[n].path.as_str())
            .collect();
        found.retain(|d| d.path().is_none_or(|p| !linted.contains(p)));
    }
    found
}

/// Leaves out the suppressions of lint's rules alone when lint did not run: they silence
/// nothing then, and are not unused.
fn unlinted(suppressions: &mut Vec<suppress::Suppression>) {
    // `concurrently-in-transaction` runs in every `check`: its suppressions stay.
    suppressions.retain(|s| {
        !s.names_only(|rule| {
            rule.family_name() == "lint" && rule != Rule::ConcurrentlyInTransaction
        })
    });
}
