//! Referrers (SBOMs) attached to a pushed image in each registry
//! repository: the artifact manifests pushed by digest, then, where the registry has no
//! referrers API (distribution-spec 1.1's `GET /v2/<name>/referrers/<digest>`
//! answers 404, as docker-registry 2.8 does), the fallback the spec gives:
//! an index tagged `sha256-<hex of the image digest>` that lists them.

use pycontainer_digest::Digest;
use pycontainer_oci::reference::Reference;
use pycontainer_oci::{media, to_canonical_json, Descriptor, Repository};
use serde_json::{json, Value};

use super::auth::Scope;
use super::pull;
use super::push::{self, Blob, Source, Upload};
use super::{Client, RegistryError, Request};
use crate::host::Host;
use pycontainer_oci::Referrer;

pub async fn attach<H: Host>(
    client: &Client<'_, H>,
    subject: &Digest,
    referrers: &[Referrer],
    references: &[Reference],
) -> Result<(), RegistryError> {
    let mut done: Vec<Repository> = Vec::new();
    for reference in references {
        let repo = Repository::of(reference);
        if done.contains(&repo) {
            continue;
        }
        let by_digest = |digest: &Digest| {
            Reference::parse(&format!(
                "{}/{}@{digest}",
                reference.registry(),
                reference.repository()
            ))
        };
        for r in referrers {
            let upload = Upload {
                blobs: r
                    .blobs
                    .iter()
                    .map(|(desc, bytes)| Blob {
                        desc: desc.clone(),
                        source: Source::Bytes(bytes),
                    })
                    .collect(),
                descriptor: &r.descriptor,
                manifest: &r.manifest,
                children: Vec::new(),
            };
            let target =
                by_digest(&r.descriptor.digest).map_err(|e| protocol(&repo, e.to_string()))?;
            push::push(client, &upload, &[target]).await?;
        }
        if !has_referrers_api(client, &repo, subject).await? {
            tag_fallback(client, reference, &repo, subject, referrers).await?;
        }
        done.push(repo);
    }
    Ok(())
}

/// 200 from the referrers endpoint: the registry keeps the list itself.
async fn has_referrers_api<H: Host>(
    client: &Client<'_, H>,
    repo: &Repository,
    subject: &Digest,
) -> Result<bool, RegistryError> {
    let url = format!("/v2/{}/referrers/{subject}", repo.name);
    let what = format!("referrers of {repo}@{subject}");
    let scopes = [Scope::pull(&repo.name)];
    let resp = client
        .send(
            repo,
            &scopes,
            &what,
            Request::get(url).header("accept", media::OCI_INDEX),
        )
        .await?;
    let status = resp.status;
    client.host().discard_body(resp.body).await;
    Ok(status == 200)
}

/// The `sha256-<hex>` index: what it listed before, other than ours, then ours.
async fn tag_fallback<H: Host>(
    client: &Client<'_, H>,
    reference: &Reference,
    repo: &Repository,
    subject: &Digest,
    referrers: &[Referrer],
) -> Result<(), RegistryError> {
    let tag = format!("sha256-{}", subject.hex());
    let mut manifests: Vec<Value> = match pull::manifest(client, repo, &tag).await {
        Ok(existing) => serde_json::from_slice::<Value>(&existing.bytes)
            .ok()
            .and_then(|v| v.get("manifests").and_then(Value::as_array).cloned())
            .unwrap_or_default(),
        Err(RegistryError::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let ours: Vec<String> = referrers
        .iter()
        .map(|r| r.descriptor.digest.to_string())
        .collect();
    manifests.retain(|m| {
        !m.get("digest")
            .and_then(Value::as_str)
            .is_some_and(|d| ours.iter().any(|o| o == d))
    });
    manifests.extend(referrers.iter().map(|r| json!(r.descriptor)));
    let index = to_canonical_json(&json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_INDEX,
        "manifests": manifests,
    }));
    let descriptor = Descriptor::new(
        media::OCI_INDEX,
        Digest::of(client.host().sha256(), &index),
        index.len() as u64,
    );
    let upload = Upload {
        blobs: Vec::new(),
        descriptor: &descriptor,
        manifest: &index,
        children: Vec::new(),
    };
    let target = Reference::parse(&format!(
        "{}/{}:{tag}",
        reference.registry(),
        reference.repository()
    ))
    .map_err(|e| protocol(repo, e.to_string()))?;
    push::push(client, &upload, &[target]).await.map(drop)
}

fn protocol(repo: &Repository, message: String) -> RegistryError {
    RegistryError::Protocol {
        what: format!("the referrers in {repo}"),
        message,
    }
}
