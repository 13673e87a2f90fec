//! Kubernetes manifests for an image pushed to a registry: a Deployment
//! (and a Service for its ports), a Job, or a StatefulSet of shards, with
//! the image by digest, resource requests, probes on the web server's
//! port and the non-root security context the image already has. Pure:
//! the caller gives what the build decided and gets YAML back.

mod name;
mod workload;
pub mod yaml;

pub use name::{is_quantity, workload_name, MAX_NAME};
pub use workload::manifests;
use yaml::Node;

/// What the build decided about the image, as the manifests need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// The project's name; the workload's is made from it.
    pub name: String,
    /// `registry/repository@sha256:…`: the image exactly as pushed.
    pub image: String,
    /// The project's version, for the `app.kubernetes.io/version` label
    /// when it is a valid label value.
    pub version: Option<String>,
    /// The ports the workload serves.
    pub ports: Vec<Port>,
    /// The detected web server's port, which the probes knock on; none for
    /// a command-line program.
    pub server_port: Option<u16>,
    /// The image config's `User`: `uid[:gid]`, a name, or none (root).
    pub user: Option<String>,
    /// Whether the app writes directories of its image; without any, its
    /// root file system is mounted read-only.
    pub writes: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    pub number: u16,
    pub udp: bool,
}

impl Port {
    /// An `ExposedPorts` key: `8000/tcp`, `53/udp`, or a bare number (TCP).
    pub fn parse(text: &str) -> Option<Port> {
        let (number, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
        let udp = match protocol.to_ascii_lowercase().as_str() {
            "tcp" => false,
            "udp" => true,
            _ => return None,
        };
        let number = number.parse().ok().filter(|n| *n != 0)?;
        Some(Port { number, udp })
    }
}

/// How the image runs on the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runtime {
    pub shape: Shape,
    /// A Service of type LoadBalancer, reachable from outside the
    /// cluster, rather than a ClusterIP one.
    pub public: bool,
    pub resources: Resources,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A Deployment of this many replicas.
    Replicas(u32),
    /// A Job that runs to `iterations` completions, `parallelism` at once.
    Job { iterations: u32, parallelism: u32 },
    /// A StatefulSet of `count` shards, each told its index and the count;
    /// `url_pattern` is handed to the app, whose requests it routes.
    Shards {
        count: u32,
        url_pattern: Option<String>,
    },
}

/// What each container asks the scheduler for; memory is also its limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resources {
    pub cpu: String,
    pub memory: String,
}

pub const DEFAULT_CPU: &str = "100m";
pub const DEFAULT_MEMORY: &str = "256Mi";

impl Default for Resources {
    fn default() -> Self {
        Resources {
            cpu: DEFAULT_CPU.to_owned(),
            memory: DEFAULT_MEMORY.to_owned(),
        }
    }
}

/// One Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub kind: &'static str,
    pub name: String,
    pub body: Node,
}

/// The manifests as one multi-document YAML stream, for `kubectl apply -f -`.
pub fn to_yaml(manifests: &[Manifest]) -> String {
    manifests
        .iter()
        .map(|m| format!("---\n{}", m.body.to_yaml()))
        .collect()
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    #[error("the project name {0:?} leaves no Kubernetes name (letters and digits make one)")]
    Name(String),
    #[error("`public` asks for a LoadBalancer Service, but the image serves no port: set `ports` in [runtime], or build with --port")]
    PublicWithoutPort,
    #[error(
        "`public` does not apply to a job (`job-spec`, --job-iterations): a Job serves nothing"
    )]
    PublicJob,
    /// The push confirmed no reference: without one no manifest can name the image.
    #[error("the image was pushed nowhere, so no manifest can name it: deploy needs -t REGISTRY/NAME:TAG")]
    NotPushed,
}

impl DeployError {
    /// The stable code the CLI and JS API report.
    pub fn code(&self) -> &'static str {
        match self {
            DeployError::Name(_) => "deploy-name",
            DeployError::PublicWithoutPort => "deploy-no-port",
            DeployError::PublicJob => "deploy-public-job",
            DeployError::NotPushed => "deploy-not-pushed",
        }
    }
}
