//! The manifests of each runtime shape, compared with the YAML in
//! tests/golden/ (`PYCONTAINER_WRITE_GOLDEN=1 cargo test -p
//! pycontainer-deploy` writes them anew, for review in the diff).

use std::path::Path;

use pycontainer_deploy::{manifests, to_yaml, App, DeployError, Port, Resources, Runtime, Shape};

const IMAGE: &str =
    "localhost:5000/fastapi-app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A FastAPI app as pycontainer builds it: port 8000, the nonroot user.
fn server() -> App {
    App {
        name: "fastapi-app".to_owned(),
        image: IMAGE.to_owned(),
        version: Some("0.1.0".to_owned()),
        ports: vec![Port {
            number: 8000,
            udp: false,
        }],
        server_port: Some(8000),
        user: Some("65532:65532".to_owned()),
        writes: false,
    }
}

fn runtime(shape: Shape, public: bool) -> Runtime {
    Runtime {
        shape,
        public,
        resources: Resources::default(),
    }
}

fn golden(name: &str, app: &App, runtime: &Runtime) {
    let yaml = match manifests(app, runtime) {
        Ok(m) => to_yaml(&m),
        Err(e) => panic!("{name}: {e}"),
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.yaml"));
    if std::env::var_os("PYCONTAINER_WRITE_GOLDEN").is_some() {
        std::fs::write(&path, &yaml).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        yaml,
        want,
        "{name}: the manifests differ from {}",
        path.display()
    );
}

#[test]
fn plain_replicas_get_a_deployment_and_a_cluster_ip_service() {
    golden("plain", &server(), &runtime(Shape::Replicas(2), false));
}

#[test]
fn public_gets_a_load_balancer() {
    golden("public", &server(), &runtime(Shape::Replicas(3), true));
}

#[test]
fn a_job_runs_to_its_completions_without_service_or_probes() {
    let app = App {
        writes: true,
        ..server()
    };
    let shape = Shape::Job {
        iterations: 10,
        parallelism: 3,
    };
    golden("job", &app, &runtime(shape, false));
}

#[test]
fn shards_are_a_stateful_set_told_their_index() {
    let shape = Shape::Shards {
        count: 4,
        url_pattern: Some("^/users/([^/]+)".to_owned()),
    };
    golden("shards", &server(), &runtime(shape, true));
}

#[test]
fn a_cli_gets_no_service_and_no_probes() {
    let app = App {
        name: "hello_cli".to_owned(),
        version: Some("1.0+local".to_owned()),
        ports: Vec::new(),
        server_port: None,
        user: Some("app".to_owned()),
        ..server()
    };
    let run = Runtime {
        resources: Resources {
            cpu: "250m".to_owned(),
            memory: "64Mi".to_owned(),
        },
        ..runtime(Shape::Replicas(1), false)
    };
    golden("cli", &app, &run);
}

#[test]
fn public_needs_a_port_and_a_service() {
    let cli = App {
        ports: Vec::new(),
        ..server()
    };
    let public = runtime(Shape::Replicas(1), true);
    assert_eq!(
        manifests(&cli, &public),
        Err(DeployError::PublicWithoutPort)
    );
    let job = Shape::Job {
        iterations: 1,
        parallelism: 1,
    };
    assert_eq!(
        manifests(&server(), &runtime(job, true)),
        Err(DeployError::PublicJob)
    );
    let unnamed = App {
        name: "__".to_owned(),
        ..server()
    };
    let err = manifests(&unnamed, &runtime(Shape::Replicas(1), false));
    assert_eq!(err, Err(DeployError::Name("__".to_owned())));
}

#[test]
fn a_root_image_claims_no_non_root() {
    let app = App {
        user: None,
        ..server()
    };
    let yaml = manifests(&app, &runtime(Shape::Replicas(1), false)).map(|m| to_yaml(&m));
    let yaml = yaml.unwrap_or_default();
    assert!(
        !yaml.contains("runAsNonRoot") && !yaml.contains("runAsUser"),
        "{yaml}"
    );
    let uid0 = App {
        user: Some("0:0".to_owned()),
        ..server()
    };
    let yaml = manifests(&uid0, &runtime(Shape::Replicas(1), false)).map(|m| to_yaml(&m));
    let yaml = yaml.unwrap_or_default();
    assert!(
        !yaml.contains("runAsNonRoot") && yaml.contains("runAsUser: 0"),
        "{yaml}"
    );
}

#[test]
fn ports_parse_as_exposed_ports_write_them() {
    assert_eq!(
        Port::parse("8000/tcp"),
        Some(Port {
            number: 8000,
            udp: false
        })
    );
    assert_eq!(
        Port::parse("53/udp"),
        Some(Port {
            number: 53,
            udp: true
        })
    );
    assert_eq!(
        Port::parse("80"),
        Some(Port {
            number: 80,
            udp: false
        })
    );
    assert_eq!(Port::parse("0/tcp"), None);
    assert_eq!(Port::parse("80/sctp"), None);
}
