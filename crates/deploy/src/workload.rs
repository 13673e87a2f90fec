//! The objects each runtime shape makes, and the pod they share.

use crate::name::{is_label_value, workload_name};
use crate::yaml::Node;
use crate::{App, DeployError, Manifest, Port, Runtime, Shape};

/// The label the selectors match on, `app.kubernetes.io/name`.
const NAME_LABEL: &str = "app.kubernetes.io/name";
/// Set on every StatefulSet pod by Kubernetes 1.28 and later: the ordinal.
const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
/// What the Python integration reads to run the function rather than
/// start a container again from inside one.
const IN_CONTAINER: &str = "PYCONTAINER_IN_CONTAINER";

/// The objects that run `app` as `runtime` says, in the order they are
/// applied: the workload first, then its Services.
pub fn manifests(app: &App, runtime: &Runtime) -> Result<Vec<Manifest>, DeployError> {
    let name = workload_name(&app.name).ok_or_else(|| DeployError::Name(app.name.clone()))?;
    if runtime.public {
        if matches!(runtime.shape, Shape::Job { .. }) {
            return Err(DeployError::PublicJob);
        }
        if app.ports.is_empty() {
            return Err(DeployError::PublicWithoutPort);
        }
    }
    let labels = labels(app, &name);
    let meta = |name: &str| Node::map(vec![("name", Node::str(name)), ("labels", labels.clone())]);
    let selector = Node::map(vec![(
        "matchLabels",
        Node::map(vec![(NAME_LABEL, Node::str(&name))]),
    )]);
    let template = |pod: Node| {
        Node::map(vec![
            ("metadata", Node::map(vec![("labels", labels.clone())])),
            ("spec", pod),
        ])
    };
    let object = |api: &str, kind: &'static str, name: &str, spec: Node| Manifest {
        kind,
        name: name.to_owned(),
        body: Node::map(vec![
            ("apiVersion", Node::str(api)),
            ("kind", Node::str(kind)),
            ("metadata", meta(name)),
            ("spec", spec),
        ]),
    };
    let service = |service_name: &str, kind: ServiceKind| {
        object(
            "v1",
            "Service",
            service_name,
            service_spec(app, &name, kind),
        )
    };
    let mut out = Vec::new();
    match &runtime.shape {
        Shape::Replicas(replicas) => {
            let spec = Node::map(vec![
                ("replicas", Node::Int(u64::from(*replicas))),
                ("selector", selector),
                (
                    "template",
                    template(pod(app, runtime, &name, Vec::new(), "Always")),
                ),
            ]);
            out.push(object("apps/v1", "Deployment", &name, spec));
            if !app.ports.is_empty() {
                let kind = if runtime.public {
                    ServiceKind::LoadBalancer
                } else {
                    ServiceKind::ClusterIp
                };
                out.push(service(&name, kind));
            }
        }
        Shape::Job {
            iterations,
            parallelism,
        } => {
            let spec = Node::map(vec![
                ("completions", Node::Int(u64::from(*iterations))),
                ("parallelism", Node::Int(u64::from(*parallelism))),
                (
                    "template",
                    template(pod(app, runtime, &name, Vec::new(), "OnFailure")),
                ),
            ]);
            out.push(object("batch/v1", "Job", &name, spec));
        }
        Shape::Shards { count, url_pattern } => {
            let mut env = vec![
                field_env(
                    "SHARD_INDEX",
                    &format!("metadata.labels['{POD_INDEX_LABEL}']"),
                ),
                plain_env("SHARD_COUNT", &count.to_string()),
                field_env("POD_NAME", "metadata.name"),
            ];
            if let Some(pattern) = url_pattern {
                env.push(plain_env("SHARD_URL_PATTERN", pattern));
            }
            let spec = Node::map(vec![
                ("serviceName", Node::str(&name)),
                ("replicas", Node::Int(u64::from(*count))),
                // Shards are peers, not a chain: all start at once.
                ("podManagementPolicy", Node::str("Parallel")),
                ("selector", selector),
                (
                    "template",
                    template(pod(app, runtime, &name, env, "Always")),
                ),
            ]);
            out.push(object("apps/v1", "StatefulSet", &name, spec));
            // The headless Service gives each shard its DNS name, NAME-i.NAME.
            out.push(service(&name, ServiceKind::Headless));
            if runtime.public {
                out.push(service(
                    &format!("{name}-public"),
                    ServiceKind::LoadBalancer,
                ));
            }
        }
    }
    Ok(out)
}

/// The recommended labels: the name (which selectors match), the version
/// when it is a valid label value, and who made the objects.
fn labels(app: &App, name: &str) -> Node {
    let mut labels = vec![(NAME_LABEL.to_owned(), Node::str(name))];
    if let Some(version) = app.version.as_deref().filter(|v| is_label_value(v)) {
        labels.push(("app.kubernetes.io/version".to_owned(), Node::str(version)));
    }
    labels.push((
        "app.kubernetes.io/managed-by".to_owned(),
        Node::str("pycontainer"),
    ));
    Node::Map(labels)
}

#[derive(Clone, Copy)]
enum ServiceKind {
    ClusterIp,
    LoadBalancer,
    Headless,
}

fn service_spec(app: &App, name: &str, kind: ServiceKind) -> Node {
    let mut spec = match kind {
        ServiceKind::ClusterIp => vec![("type", Node::str("ClusterIP"))],
        ServiceKind::LoadBalancer => vec![("type", Node::str("LoadBalancer"))],
        ServiceKind::Headless => vec![("clusterIP", Node::str("None"))],
    };
    spec.push(("selector", Node::map(vec![(NAME_LABEL, Node::str(name))])));
    if !app.ports.is_empty() {
        let ports = app
            .ports
            .iter()
            .map(|p| {
                Node::map(vec![
                    ("name", Node::Str(port_name(p))),
                    ("port", Node::Int(u64::from(p.number))),
                    ("targetPort", Node::Str(port_name(p))),
                    ("protocol", Node::str(protocol(p))),
                ])
            })
            .collect();
        spec.push(("ports", Node::List(ports)));
    }
    Node::map(spec)
}

/// A port's name, which a Service's `targetPort` can name: at most 15
/// characters with a letter, as `tcp-65535` is.
fn port_name(p: &Port) -> String {
    format!("{}-{}", if p.udp { "udp" } else { "tcp" }, p.number)
}

fn protocol(p: &Port) -> &'static str {
    if p.udp {
        "UDP"
    } else {
        "TCP"
    }
}

fn plain_env(name: &str, value: &str) -> Node {
    Node::map(vec![("name", Node::str(name)), ("value", Node::str(value))])
}

fn field_env(name: &str, path: &str) -> Node {
    Node::map(vec![
        ("name", Node::str(name)),
        (
            "valueFrom",
            Node::map(vec![(
                "fieldRef",
                Node::map(vec![("fieldPath", Node::str(path))]),
            )]),
        ),
    ])
}

/// The pod: one container of the image, its ports, requests, probes and
/// the security context the image allows.
fn pod(app: &App, runtime: &Runtime, name: &str, extra_env: Vec<Node>, restart: &str) -> Node {
    let mut env = vec![plain_env(IN_CONTAINER, "1")];
    env.extend(extra_env);
    let mut container = vec![("name", Node::str(name)), ("image", Node::str(&app.image))];
    if !app.ports.is_empty() {
        let ports = app
            .ports
            .iter()
            .map(|p| {
                Node::map(vec![
                    ("name", Node::Str(port_name(p))),
                    ("containerPort", Node::Int(u64::from(p.number))),
                    ("protocol", Node::str(protocol(p))),
                ])
            })
            .collect();
        container.push(("ports", Node::List(ports)));
    }
    container.push(("env", Node::List(env)));
    let r = &runtime.resources;
    container.push((
        "resources",
        Node::map(vec![
            (
                "requests",
                Node::map(vec![
                    ("cpu", Node::str(&r.cpu)),
                    ("memory", Node::str(&r.memory)),
                ]),
            ),
            // Memory is not compressible: past the request a pod is the first
            // evicted, so the limit is the request. CPU is, so it has none.
            ("limits", Node::map(vec![("memory", Node::str(&r.memory))])),
        ]),
    ));
    // Probes only where a web server was detected and its port is served:
    // a TCP connect, since no path is known to answer 200 (FastAPI's `/`
    // may well be a 404). A Job runs to its end and has none.
    let server = app
        .server_port
        .filter(|port| app.ports.iter().any(|p| !p.udp && p.number == *port))
        .filter(|_| !matches!(runtime.shape, Shape::Job { .. }));
    if let Some(port) = server {
        let probe = |delay: u64, period: u64| {
            Node::map(vec![
                (
                    "tcpSocket",
                    Node::map(vec![("port", Node::Int(u64::from(port)))]),
                ),
                ("initialDelaySeconds", Node::Int(delay)),
                ("periodSeconds", Node::Int(period)),
            ])
        };
        container.push(("readinessProbe", probe(2, 5)));
        container.push(("livenessProbe", probe(10, 20)));
    }
    let mut security = vec![
        ("allowPrivilegeEscalation", Node::Bool(false)),
        (
            "capabilities",
            Node::map(vec![("drop", Node::List(vec![Node::str("ALL")]))]),
        ),
    ];
    if !app.writes {
        security.push(("readOnlyRootFilesystem", Node::Bool(true)));
        // Python's tempfile, gunicorn's heartbeat files: a scratch /tmp.
        container.push((
            "volumeMounts",
            Node::List(vec![Node::map(vec![
                ("name", Node::str("tmp")),
                ("mountPath", Node::str("/tmp")),
            ])]),
        ));
    }
    container.push(("securityContext", Node::map(security)));
    let mut spec = vec![
        ("restartPolicy", Node::str(restart)),
        // The app does not talk to the API server: no token in its pods.
        ("automountServiceAccountToken", Node::Bool(false)),
        ("securityContext", pod_security(app.user.as_deref())),
        ("containers", Node::List(vec![Node::map(container)])),
    ];
    if !app.writes {
        spec.push((
            "volumes",
            Node::List(vec![Node::map(vec![
                ("name", Node::str("tmp")),
                ("emptyDir", Node::Map(Vec::new())),
            ])]),
        ));
    }
    Node::map(spec)
}

/// The pod's security context from the image's `User`. A numeric uid is
/// stated (and, when not 0, `runAsNonRoot`, which the kubelet can check);
/// a user name is not, since the kubelet refuses `runAsNonRoot` for a
/// user it cannot resolve to a number; no user means root.
fn pod_security(user: Option<&str>) -> Node {
    let mut out = Vec::new();
    let (uid, gid) = match user.filter(|u| !u.is_empty()) {
        Some(u) => u.split_once(':').map_or((u, None), |(a, b)| (a, Some(b))),
        None => ("root", None),
    };
    if let Ok(uid) = uid.parse::<u64>() {
        if uid != 0 {
            out.push(("runAsNonRoot", Node::Bool(true)));
        }
        out.push(("runAsUser", Node::Int(uid)));
        if let Some(gid) = gid.and_then(|g| g.parse::<u64>().ok()) {
            out.push(("runAsGroup", Node::Int(gid)));
        }
    }
    out.push((
        "seccompProfile",
        Node::map(vec![("type", Node::str("RuntimeDefault"))]),
    ));
    Node::map(out)
}
