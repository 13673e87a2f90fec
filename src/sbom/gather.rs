//! The bill of a built image, read from its own layers, the base's first:
//! the distributions whose METADATA the running container would see and
//! the base's package database, joined with the install plan for where
//! each wheel came from and its hash.

use pycontainer_oci::Image;
use pycontainer_python::name::normalize;
use pycontainer_python::url::recorded;
use pycontainer_sbom::contents::{Contents, Installed};
use pycontainer_sbom::{Base, License, PythonDist, Sbom, Subject, Wheel};

use crate::blobs;
use crate::clock;
use crate::deps::probe;
use crate::error::Error;
use crate::host::{Host, Progress};
use crate::layout::Layout;
use crate::plan::Plan;
use crate::registry::Client;

pub async fn gather<H: Host>(
    client: &Client<'_, H>,
    image: &Image,
    plan: &Plan,
) -> Result<Sbom, Error> {
    let host = client.host();
    host.progress(&Progress::Phase { name: "sbom" });
    let layers = image.layers();
    let dirs = blobs::local(
        client,
        layers,
        &plan.cache,
        "reading a registry base's layers for the SBOM",
    )
    .await
    .map_err(crate::sink::SinkError::from)?;
    let mut contents = Contents::default();
    for (layer, dir) in layers.iter().zip(dirs) {
        contents.begin_layer();
        let path = Layout::new(host, &dir).blob_path(&layer.descriptor.digest);
        probe::scan(host, &path, layer, &mut contents).await?;
    }
    let project_name = plan.project.metadata.name.as_deref().map(normalize);
    let mut project = None;
    let mut python = Vec::new();
    for installed in contents.python() {
        if Some(&installed.name) == project_name.as_ref() {
            project = Some(dist(installed, None));
        } else {
            let wheel = wheel_of(plan, &installed.name);
            python.push(dist(installed, wheel));
        }
    }
    // Without a venv the project has no dist-info: it is still what the image runs.
    if project.is_none() {
        let metadata = &plan.project.metadata;
        if let (Some(name), Some(version)) = (&project_name, &metadata.version) {
            project = Some(PythonDist {
                name: name.clone(),
                version: version.clone(),
                license: License::NoAssertion,
                wheel: None,
            });
        }
    }
    let subject_name = plan
        .tags
        .first()
        .map(|t| t.name.clone())
        .or_else(|| plan.layout().map(|l| l.path.clone()))
        .unwrap_or_default();
    Ok(Sbom {
        subject: Subject {
            name: subject_name,
            digest: image.digest().clone(),
        },
        base: plan.base.digest.as_ref().map(|digest| Base {
            reference: plan.base.name.clone(),
            digest: Some(digest.clone()),
        }),
        project,
        python,
        os: contents.os()?,
        created: clock::rfc3339(plan.epoch),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    }
    .sorted())
}

fn dist(installed: Installed, wheel: Option<Wheel>) -> PythonDist {
    PythonDist {
        name: installed.name,
        version: installed.version,
        license: installed.license,
        wheel,
    }
}

/// The file the plan installed for `name`: its hash, and its URL without
/// credentials. None for a distribution the base brought.
fn wheel_of(plan: &Plan, name: &str) -> Option<Wheel> {
    let install = plan.deps.as_ref()?.install.as_ref()?;
    let pick = install.picks.iter().find(|p| p.name.as_str() == name)?;
    Some(Wheel {
        sha256: pick.wanted.sha256.clone(),
        url: Some(recorded(&pick.wanted.url)),
    })
}
