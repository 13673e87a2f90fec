//! The decision sequence: settings, project, tags, Python, entry point,
//! base, dependencies, then the app layer and the config built from them.

use futures_util::future::join_all;
use pycontainer_oci::mutate::ConfigChanges;
use pycontainer_oci::{BlobSource, Platform};
use pycontainer_sbom::Format as SbomFormat;

use super::app_layer::{app_layer, make_writable, project_dist_info, with_written_lock};
use super::deps;
use super::entrypoint::{choose_entrypoint, wants_framework};
use super::platforms::{self, Wanted};
use super::python::{check_setting, choose_python, settle, Allowed, Probed};
use super::rules::{
    annotations, env, index_annotations, labels, one_image, output_format, output_path,
    push_targets, tags, user, workdir,
};
use super::scripts;
use super::selection::selection;
use super::sources;
use super::warning::{self, Warning};
use super::writable;
use super::{BuildOptions, LockEntry, Plan, PlanError, DEFAULT_WORKDIR, NONROOT};
use crate::cache::CacheDir;
use crate::clock;
use crate::config::{Layers, Settings};
use crate::deps::pins::PendingLock;
use crate::deps::probe;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::project;
use crate::registry::Client;
use crate::sink::{self, ArchiveTarget, Format, LayoutTarget, RegistryTarget, SinkError, Target};
use crate::source::{self, BaseImage, BaseRef, SourceError};

/// One plan per platform the settings name (one for the base's own when
/// they name none), each made as a build for that platform alone, all at
/// once, so that their base pulls, probes and resolutions overlap. With
/// `all`, the first plan settles the list from the base's index, and the
/// others follow it. The project is read again for each, which costs
/// little beside the base and the wheels that differ anyway.
pub async fn make_all<H: Host>(
    client: &Client<'_, H>,
    options: &BuildOptions,
) -> Result<Vec<Plan>, PlanError> {
    let named = named_platforms(client.host(), options)
        .await
        .filter(|n| n.len() > 1);
    let mut plans = Vec::new();
    let rest: Vec<Platform> = match &named {
        Some(named) => named.iter().skip(1).cloned().collect(),
        None => {
            let first = make(client, options, None).await?;
            let rest = first.platforms.iter().skip(1).cloned().collect();
            plans.push(first);
            rest
        }
    };
    // With the list known, the first plan (the one that reports the
    // warnings and settles the lock) starts with the others.
    let first = named.is_some().then_some(None);
    // Every one is waited for, so that none is dropped halfway through
    // filling the cache; the first error, in the order named, is reported.
    let made = join_all(
        first
            .into_iter()
            .chain(rest.iter().map(Some))
            .map(|only| make(client, options, only)),
    )
    .await;
    for plan in made {
        plans.push(plan?);
    }
    if plans.len() > 1 {
        share_lock(client.host(), &mut plans);
    }
    Ok(plans)
}

/// The platforms the settings name, read ahead so that every plan can
/// start at once. None for `all`, for none, and for settings that cannot
/// be read: the first plan then reports what is wrong, in its own order.
async fn named_platforms<H: Host>(host: &H, options: &BuildOptions) -> Option<Vec<Platform>> {
    let context = options.context.as_str();
    let metadata = project::read_metadata(host, context).await.ok()?;
    let layers = Layers::gather(
        host,
        options.settings().ok()?,
        context,
        options.config.as_deref(),
        metadata.0.tool_config.as_ref(),
    )
    .await
    .ok()?;
    match platforms::parse(layers.merged().platform.as_deref(), "--platform").ok()? {
        Wanted::Named(list) => Some(list),
        Wanted::All => None,
    }
}

/// A multi-platform build's lock: every platform's resolution in one
/// pylock.toml, shipped alike in each app layer (which stays one) and
/// written once. Platforms that took their packages from the lock already
/// there leave nothing to write; some that did while others resolved (a
/// lock from a build for fewer platforms) leave a lock that cannot be
/// merged without them, nor one that differs for each: none is written.
fn share_lock<H: Host>(host: &H, plans: &mut [Plan]) {
    let with_deps = plans
        .iter()
        .filter(|p| p.deps.as_ref().is_some_and(|d| d.install.is_some()))
        .count();
    let pending: Vec<PendingLock> = plans
        .iter_mut()
        .filter_map(|p| p.deps.as_mut()?.install.as_mut()?.lock.take())
        .collect();
    if pending.is_empty() {
        return;
    }
    let merged = if pending.len() == with_deps {
        PendingLock::merged(&pending.iter().collect::<Vec<_>>())
    } else {
        None
    };
    let Some(merged) = merged else {
        host.progress(&Progress::Warning {
            code: "lock-unwritten",
            message: &format!(
                "{} not written: the platforms' dependencies were resolved to different packages, or the lock holds for some of them only; delete it to lock every platform",
                pending[0].path()
            ),
        });
        return;
    };
    for plan in plans.iter_mut() {
        if let Some(entry) = &plan.lock_entry {
            with_written_lock(&mut plan.app_layer, &entry.path, merged.text(), entry.ships);
        }
    }
    if let Some(install) = plans[0].deps.as_mut().and_then(|d| d.install.as_mut()) {
        install.lock = Some(merged);
    }
}

/// Decides everything for `only` (else the first platform the settings
/// name); reads the context, the config and the base (and, for
/// dependencies, the base's layers and the package index), and writes
/// nothing but the cache.
async fn make<H: Host>(
    client: &Client<'_, H>,
    options: &BuildOptions,
    only: Option<&Platform>,
) -> Result<Plan, PlanError> {
    let host = client.host();
    let epoch = clock::build_epoch(host)?;
    let context = options.context.as_str();
    project::check_context(host, context).await?;
    let metadata = project::read_metadata(host, context).await?;
    let layers = Layers::gather(
        host,
        options.settings()?,
        context,
        options.config.as_deref(),
        metadata.0.tool_config.as_ref(),
    )
    .await?;
    let settings = layers.merged();
    let origin = |flag: &str, has: fn(&Settings) -> bool| layers.origin(flag, has);
    let workdir_origin = origin("--workdir", |s| s.workdir.is_some());
    let workdir = workdir(
        settings.workdir.as_deref().unwrap_or(DEFAULT_WORKDIR),
        &workdir_origin,
    )?;
    let format_origin = origin("--format", |s| s.format.is_some());
    let format = output_format(settings.format.as_deref(), &format_origin)?;
    let output_origin = origin("--output", |s| s.output.is_some());
    let output = output_path(options, &settings, format, &output_origin)?;
    let platform_origin = origin("--platform", |s| s.platform.is_some());
    let asked = platforms::parse(settings.platform.as_deref(), &platform_origin)?;
    let mut platforms = match &asked {
        Wanted::Named(list) => list.clone(),
        Wanted::All => Vec::new(),
    };
    let mut wanted = only.or(platforms.first()).cloned();
    // Pushing alone writes no layout, unless an output was asked for.
    let output_asked = settings.output.is_some() || settings.format.is_some();
    let output = (!options.push || output_asked).then_some(output);
    let sbom = sbom_formats(&options.sbom, output.is_some())?;
    let output_error = |source: SinkError| PlanError::Output {
        origin: output_origin.clone(),
        source: Box::new(source),
    };
    let existing_index = match (&output, format) {
        (Some(out), Format::Layout) => {
            let existing = Layout::new(host, out)
                .check_writable()
                .await
                .map_err(|e| output_error(e.into()))?;
            sink::check_writable(host, out)
                .await
                .map_err(output_error)?;
            existing
        }
        (Some(out), Format::Archive(_)) => {
            sink::check_archive(host, out).await.map_err(output_error)?;
            None
        }
        (None, _) => None,
    };
    let selection = selection(host, context, &settings, &layers).await?;
    let mut project =
        project::discover(host, context, metadata, output.as_slice(), &selection).await?;
    let framework_sources = sources::scan(host, &mut project, wants_framework(&settings)).await?;
    let mut warnings = warning::excluded_but_named(&project);
    warnings.extend(warning::credentials_included(&project));
    warnings.extend(warning::url_credentials(&project));
    let tags = tags(
        settings.tags.as_deref().unwrap_or(&[]),
        &project,
        &origin("--tag", |s| s.tags.is_some()),
    )?;
    // Before the base: a wrong --script is reported as such, not as a base problem.
    let (mut entrypoint, served) =
        choose_entrypoint(&project, &settings, &layers, &framework_sources)?;
    warnings.extend(warning::dev_server(served.as_ref()));
    // Before the Python: a lock's requires-python and wheels narrow it.
    let found = deps::find(host, &project, &settings, &layers).await?;
    let allowed = Allowed::read(
        &project,
        found.as_ref(),
        &settings,
        origin("--ignore-requires-python", |s| {
            s.ignore_requires_python.is_some()
        }),
    )?;
    let base_origin = origin("--base-image", |s| s.base_image.is_some());
    // An explicit base brings its own Python; otherwise one is chosen, and
    // the official image for it is the base.
    let (base_value, base_rule, chosen) = match &settings.base_image {
        Some(v) => {
            check_setting(&settings, &origin("--python", |s| s.python.is_some()))?;
            (v.clone(), format!("set explicitly ({base_origin})"), None)
        }
        None => {
            let python = choose_python(
                host,
                &project,
                &settings,
                &origin("--python", |s| s.python.is_some()),
                &allowed,
                found.as_ref(),
                &wanted.clone().unwrap_or_else(Platform::default_target),
            )
            .await?;
            let rule = format!("python:X.Y-slim for {}", python.rule);
            (python.value.base_image.clone(), rule, Some(python))
        }
    };
    let references = push_targets(
        options.push,
        settings.tags.as_deref(),
        &origin("--tag", |s| s.tags.is_some()),
    )?;
    if !references.is_empty() {
        client.push_to(&references);
    }
    let mut sinks: Vec<Target> = output
        .map(|path| match format {
            Format::Layout => Target::Layout(LayoutTarget {
                path,
                existing: existing_index,
            }),
            Format::Archive(format) => Target::Archive(ArchiveTarget { path, format }),
        })
        .into_iter()
        .collect();
    if !references.is_empty() {
        sinks.push(Target::Registry(RegistryTarget { references }));
    }
    let base_error = |source| match source {
        SourceError::Registry { .. } => PlanError::from(source),
        source => PlanError::Base {
            origin: base_origin.clone(),
            source: Box::new(source),
        },
    };
    // `all` reads the base's index (in a dry run too: the list is the plan),
    // once; the other platforms' plans are each for one of them.
    if let (Wanted::All, None) = (&asked, only) {
        platforms = platforms::offered(client, &base_value, &platform_origin)
            .await
            .map_err(base_error)?;
        wanted = platforms.first().cloned();
    }
    // Each platform resolves on its own: a lock written from one would not
    // hold for the others, and the app layer that ships it would differ.
    let writes_lock = only.is_none() && platforms.len() < 2;
    let cache = CacheDir::find(host, options.cache_dir.as_deref());
    let (base, base_resolved) = resolve_base(
        client,
        &base_value,
        wanted.as_ref(),
        &cache,
        options.dry_run,
    )
    .await
    .map_err(base_error)?;
    let platform = base.image.platform();
    let images = match platforms.len() {
        0 | 1 => std::slice::from_ref(&platform),
        _ => platforms.as_slice(),
    };
    one_image(format, images, &format_origin)?;
    // The base's layers are read for its Python when the dependencies need
    // it, and for an explicit base, whose Python the plan shows and checks
    // (once: the answer is cached by the base's digest), unless that alone
    // would download them: a push without a layout mounts them instead.
    let layers_stay_remote = !sinks
        .iter()
        .any(|s| matches!(s, Target::Layout(_) | Target::Archive(_)))
        && base
            .image
            .layers()
            .iter()
            .any(|l| matches!(l.source, BlobSource::Registry(_)));
    let probed = if !base_resolved {
        Probed::NotPulled
    } else if found.is_none() && chosen.is_some() {
        Probed::Skipped
    } else if found.is_none() && base.image.layers().is_empty() {
        Probed::Empty
    } else if found.is_none() && layers_stay_remote {
        Probed::Remote
    } else {
        Probed::Read(probe::base_env(client, &base, &cache).await)
    };
    let (python, base_env) = settle(chosen, &allowed, &base_value, probed, found.is_some())?;
    let deps = deps::plan(
        client,
        &deps::Context {
            project: &project,
            settings: &settings,
            locked: options.locked,
            base: &base,
            env: base_env.as_ref(),
            platform: &platform,
            cache: &cache,
        },
        found,
    )
    .await?;
    let install = deps.as_ref().and_then(|d| d.install.as_ref());
    warnings.extend(warning::no_bytecode(install.map(|i| &i.bytecode)));
    let user = user(&settings, &base);
    let home = user
        .as_deref()
        .is_some_and(|u| u == format!("{NONROOT}:{NONROOT}"));
    // Any dependencies mean a venv (a dry run may not know its Python yet),
    // and the project's scripts go into it, as `pip install .` puts them.
    let scripts = scripts::plan(&project, deps.is_some())?;
    entrypoint.run_scripts_from(&scripts.dir);
    // With a venv, the project is installed in it too: its dist-info goes
    // with its code in the app layer.
    let dist_info = install
        .map(|i| project_dist_info(&project.metadata, &i.venv.site_packages(), &scripts))
        .unwrap_or_default();
    let mut app_layer = app_layer(
        &project,
        &workdir,
        &workdir_origin,
        &scripts,
        home,
        dist_info,
    )?;
    let lock = install.and_then(|i| i.lock.as_ref());
    let lock_entry = lock.and_then(|lock| {
        project.relative(lock.path()).map(|rel| LockEntry {
            path: format!("{}/{rel}", workdir.trim_matches('/')),
            ships: selection.ships(rel),
        })
    });
    // Several platforms' locks become one, which `make_all` ships.
    if let (Some(lock), Some(entry), true) = (lock, &lock_entry, writes_lock) {
        with_written_lock(&mut app_layer, &entry.path, lock.text(), entry.ships);
    }
    let writes = writable::decide(
        host,
        &writable::Inputs {
            project: &project,
            workdir: &workdir,
            declared: &settings.writable,
            origin: &origin("--writable", |s| !s.writable.is_empty()),
            served: served.as_ref(),
            sources: &framework_sources,
        },
    )
    .await?;
    warnings.extend(writes.warnings);
    match writable::owner(user.as_deref(), &writes.dirs) {
        Ok(Some(uid)) => make_writable(&mut app_layer, &writes.dirs, uid),
        Ok(None) => {}
        Err(w) => warnings.push(w),
    }
    warnings.extend(warning::private_files(&app_layer, user.as_deref()));
    // The venv's variables first, so that an explicit --env PATH still wins.
    let mut env_vars = install.map(|i| i.env.clone()).unwrap_or_default();
    env_vars.extend(
        env(
            host,
            &project,
            &settings,
            &origin("--env-file", |s| s.env_file.is_some()),
            &workdir,
            home,
        )
        .await?,
    );
    let ports = match &settings.ports {
        Some(p) => p.clone(),
        None => entrypoint
            .port
            .map(|p| vec![format!("{p}/tcp")])
            .unwrap_or_default(),
    };
    let working_dir = match &entrypoint.subdir {
        Some(sub) => format!("{workdir}/{sub}"),
        None => workdir.clone(),
    };
    let changes = ConfigChanges {
        created: clock::rfc3339(epoch),
        env: env_vars,
        working_dir,
        entrypoint: entrypoint.command.clone(),
        cmd: settings.cmd.clone().filter(|c| !c.is_empty()),
        user,
        ports,
        labels: labels(&project, &base, &base_value, &entrypoint, epoch, &settings),
    };
    let annotations = annotations(&changes.labels, &settings);
    let index_annotations = index_annotations(&annotations);
    // The other platforms' plans find the same, and it is said once.
    if only.is_none() {
        Warning::report(host, &warnings);
    }
    Ok(Plan {
        platform,
        platforms,
        project,
        base,
        base_rule,
        base_resolved,
        python,
        tags,
        sinks,
        cache,
        epoch,
        entrypoint,
        scripts,
        app_layer,
        changes,
        annotations,
        index_annotations,
        lock_entry,
        sources: layers.sources(),
        deps,
        writable: writes.dirs,
        warnings,
        sbom,
        runtime: layers.runtime,
    })
}

/// `--sbom`'s words, each given once or more, in the order of
/// `Format::ALL`. The files go beside the output (a layout or an archive),
/// so a build that writes none (`--push` alone) has nowhere to put them.
fn sbom_formats(words: &[String], has_output: bool) -> Result<Vec<SbomFormat>, PlanError> {
    let mut formats = Vec::new();
    for word in words.iter().flat_map(|w| w.split(',')).map(str::trim) {
        let format = SbomFormat::parse(word).ok_or_else(|| {
            let known: Vec<&str> = SbomFormat::ALL.iter().map(|f| f.name()).collect();
            PlanError::setting(
                "--sbom",
                format!(
                    "unknown SBOM format {word:?}: expected {}",
                    known.join(" or ")
                ),
            )
        })?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    if !formats.is_empty() && !has_output {
        return Err(PlanError::setting(
            "--sbom",
            "the SBOM files are written beside the output, and --push alone writes none: add --output",
        ));
    }
    pycontainer_sort::sort(&mut formats);
    Ok(formats)
}

/// The base's manifest and config. A dry run reads no registry: its base
/// stands in as `scratch` under the base's name.
async fn resolve_base<H: Host>(
    client: &Client<'_, H>,
    value: &str,
    wanted: Option<&Platform>,
    cache: &CacheDir,
    dry_run: bool,
) -> Result<(BaseImage, bool), SourceError> {
    if dry_run {
        if let BaseRef::Registry(_) = BaseRef::parse(value)? {
            let mut base = source::resolve(client, "scratch", wanted, cache).await?;
            base.name = value.to_owned();
            return Ok((base, false));
        }
    }
    Ok((source::resolve(client, value, wanted, cache).await?, true))
}
