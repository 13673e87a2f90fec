//! `[runtime]`: how `pycontainer deploy` runs the image, as the seed's
//! RuntimeOptions said it (executor, replicas, ports, public, shardSpec,
//! jobSpec), from pycontainer.toml and the flags; the flags win.

use pycontainer_deploy::{is_quantity, Shape};
use toml::{Table, Value};

use super::transfer::{count, Given};
use super::words::{closest, port};
use super::ConfigError;

/// Every key of `[runtime]`.
const KEYS: &[&str] = &[
    "executor",
    "replicas",
    "ports",
    "public",
    "shard-spec",
    "job-spec",
    "cpu",
    "memory",
];
const SHARD_KEYS: &[&str] = &["shards", "url-shard-pattern"];
const JOB_KEYS: &[&str] = &["iterations", "parallelism"];

/// Where the image runs: on a cluster, or on this machine's engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Executor {
    Kubernetes,
    Docker,
    Podman,
}

impl Executor {
    pub fn name(self) -> &'static str {
        match self {
            Executor::Kubernetes => "kubernetes",
            Executor::Docker => "docker",
            Executor::Podman => "podman",
        }
    }
}

/// One source's runtime settings; `None` where it says nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuntimeSettings {
    pub executor: Option<Executor>,
    /// Replicas, a job or shards: one source names one shape, and the
    /// highest source that names any decides it.
    pub shape: Option<Shape>,
    /// `N/tcp` or `N/udp`: the ports served, instead of the image's.
    pub ports: Option<Vec<String>>,
    pub public: Option<bool>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

/// A pycontainer.toml's `[runtime]`, with the name its errors give it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeTable {
    /// `…/pycontainer.toml [runtime]`.
    pub file: String,
    pub settings: RuntimeSettings,
}

/// The runtime flags (or the JS API's `runtime` options) as given: the
/// counts as numbers or a flag's text, judged here.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuntimeFlags {
    pub replicas: Option<Given>,
    pub public: Option<bool>,
    pub shards: Option<Given>,
    pub job_iterations: Option<Given>,
    pub job_parallelism: Option<Given>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

impl RuntimeSettings {
    /// `self` over `lower`: each setting from the higher source that has
    /// it, the shape whole (a job's parallelism never joins another's shards).
    pub fn over(self, lower: RuntimeSettings) -> RuntimeSettings {
        RuntimeSettings {
            executor: self.executor.or(lower.executor),
            shape: self.shape.or(lower.shape),
            ports: self.ports.or(lower.ports),
            public: self.public.or(lower.public),
            cpu: self.cpu.or(lower.cpu),
            memory: self.memory.or(lower.memory),
        }
    }

    /// Reads a `[runtime]` table; `file` names it in errors.
    pub fn from_table(file: &str, table: &Table) -> Result<Self, ConfigError> {
        let mut s = RuntimeSettings::default();
        let mut shape_key: Option<&str> = None;
        for (key, value) in table {
            let f = Field {
                file,
                key: key.clone(),
                value,
            };
            let shape = match key.as_str() {
                "executor" => {
                    s.executor = Some(match f.string()?.as_str() {
                        "kubernetes" => Executor::Kubernetes,
                        "docker" => Executor::Docker,
                        "podman" => Executor::Podman,
                        other => {
                            return Err(f.invalid(format!(
                                "{other:?} is not an executor: kubernetes, docker or podman"
                            )))
                        }
                    });
                    None
                }
                "replicas" => Some(Shape::Replicas(f.count()?)),
                "ports" => {
                    s.ports = Some(f.ports()?);
                    None
                }
                "public" => {
                    s.public = Some(f.boolean()?);
                    None
                }
                "shard-spec" => {
                    let t = f.table(SHARD_KEYS)?;
                    let count = match t.get("shards") {
                        Some(v) => f.nested("shards", v).count()?,
                        None => return Err(f.invalid("needs `shards`, their number".to_owned())),
                    };
                    let url_pattern = match t.get("url-shard-pattern") {
                        Some(v) => Some(f.nested("url-shard-pattern", v).string()?),
                        None => None,
                    };
                    Some(Shape::Shards { count, url_pattern })
                }
                "job-spec" => {
                    let t = f.table(JOB_KEYS)?;
                    let iterations = match t.get("iterations") {
                        Some(v) => f.nested("iterations", v).count()?,
                        None => {
                            return Err(f.invalid("needs `iterations`, the completions".to_owned()))
                        }
                    };
                    let parallelism = match t.get("parallelism") {
                        Some(v) => f.nested("parallelism", v).count()?,
                        None => 1,
                    };
                    Some(Shape::Job {
                        iterations,
                        parallelism,
                    })
                }
                "cpu" => {
                    s.cpu = Some(f.quantity()?);
                    None
                }
                "memory" => {
                    s.memory = Some(f.quantity()?);
                    None
                }
                _ => {
                    return Err(ConfigError::UnknownKey {
                        file: file.to_owned(),
                        key: key.clone(),
                        suggestion: closest(key, KEYS).map(str::to_owned),
                    })
                }
            };
            if let Some(shape) = shape {
                if let Some(first) = shape_key {
                    return Err(f.invalid(format!(
                        "cannot be set with `{first}`: replicas, a job and shards are three ways to run, pick one"
                    )));
                }
                shape_key = Some(key);
                s.shape = Some(shape);
            }
        }
        Ok(s)
    }

    /// Judges the flags: counts of at least 1, quantities, one shape.
    pub fn from_flags(flags: &RuntimeFlags) -> Result<Self, ConfigError> {
        let whole = |flag: &str, given: &Option<Given>| -> Result<Option<u32>, ConfigError> {
            given
                .as_ref()
                .map(|g| {
                    count(g)
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            ConfigError::flag(
                                flag,
                                Some(&g.shown()),
                                "must be a whole number, at least 1",
                            )
                        })
                })
                .transpose()
        };
        let quantity =
            |flag: &str, given: &Option<String>| -> Result<Option<String>, ConfigError> {
                given
                    .as_ref()
                    .map(|q| {
                        if is_quantity(q) {
                            Ok(q.clone())
                        } else {
                            Err(ConfigError::flag(flag, Some(q), QUANTITY))
                        }
                    })
                    .transpose()
            };
        let replicas = whole("--replicas", &flags.replicas)?;
        let shards = whole("--shards", &flags.shards)?;
        let iterations = whole("--job-iterations", &flags.job_iterations)?;
        let parallelism = whole("--job-parallelism", &flags.job_parallelism)?;
        if parallelism.is_some() && iterations.is_none() {
            return Err(ConfigError::flag(
                "--job-parallelism",
                None,
                "needs --job-iterations, the number of completions",
            ));
        }
        let named: Vec<&str> = [
            ("--replicas", replicas.is_some()),
            ("--shards", shards.is_some()),
            ("--job-iterations", iterations.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, given)| given.then_some(flag))
        .collect();
        if let [first, second, ..] = named.as_slice() {
            return Err(ConfigError::flag(
                second,
                None,
                format!("cannot be given with {first}: replicas, a job and shards are three ways to run, pick one"),
            ));
        }
        let shape = match (replicas, shards, iterations) {
            (Some(n), _, _) => Some(Shape::Replicas(n)),
            (_, Some(count), _) => Some(Shape::Shards {
                count,
                url_pattern: None,
            }),
            (_, _, Some(iterations)) => Some(Shape::Job {
                iterations,
                parallelism: parallelism.unwrap_or(1),
            }),
            _ => None,
        };
        Ok(RuntimeSettings {
            executor: None,
            shape,
            ports: None,
            public: flags.public,
            cpu: quantity("--cpu", &flags.cpu)?,
            memory: quantity("--memory", &flags.memory)?,
        })
    }
}

const QUANTITY: &str = "must be a Kubernetes quantity such as 100m, 0.5, 256Mi or 1Gi";

/// One value of `[runtime]` (or of a table in it), for its errors.
struct Field<'a> {
    file: &'a str,
    key: String,
    value: &'a Value,
}

impl<'a> Field<'a> {
    /// A value inside this one's table: errors name it `shard-spec.shards`.
    fn nested(&self, key: &str, value: &'a Value) -> Field<'a> {
        Field {
            file: self.file,
            key: format!("{}.{key}", self.key),
            value,
        }
    }

    fn wrong(&self, expected: &'static str) -> ConfigError {
        ConfigError::WrongType {
            file: self.file.to_owned(),
            key: self.key.to_owned(),
            expected,
            found: self.value.type_str().to_owned(),
        }
    }

    fn invalid(&self, message: String) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_owned(),
            key: self.key.to_owned(),
            message,
        }
    }

    fn string(&self) -> Result<String, ConfigError> {
        match self.value.as_str() {
            Some(s) if !s.trim().is_empty() && !s.contains(['\0', '\n', '\r']) => Ok(s.to_owned()),
            Some(_) => Err(self.invalid("must be non-empty text on one line".to_owned())),
            None => Err(self.wrong("a string")),
        }
    }

    fn boolean(&self) -> Result<bool, ConfigError> {
        self.value
            .as_bool()
            .ok_or_else(|| self.wrong("true or false"))
    }

    fn count(&self) -> Result<u32, ConfigError> {
        let n = self
            .value
            .as_integer()
            .ok_or_else(|| self.wrong("a whole number"))?;
        u32::try_from(n)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| self.invalid(format!("{n}: must be at least 1")))
    }

    fn quantity(&self) -> Result<String, ConfigError> {
        let q = match self.value {
            Value::String(s) => s.clone(),
            // `cpu = 1` or `cpu = 0.5` is what people write for cores.
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            _ => return Err(self.wrong("a quantity such as \"256Mi\"")),
        };
        if is_quantity(&q) {
            Ok(q)
        } else {
            Err(self.invalid(format!("{q:?} {QUANTITY}")))
        }
    }

    fn ports(&self) -> Result<Vec<String>, ConfigError> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.wrong("an array of port numbers"))?;
        items
            .iter()
            .map(|v| {
                let text = match v {
                    Value::Integer(i) => i.to_string(),
                    Value::String(s) => s.clone(),
                    _ => return Err(self.wrong("an array of port numbers")),
                };
                port(&text).map_err(|m| self.invalid(m))
            })
            .collect()
    }

    /// A table of the given keys only.
    fn table(&self, keys: &[&str]) -> Result<&'a Table, ConfigError> {
        let t = self.value.as_table().ok_or_else(|| self.wrong("a table"))?;
        if let Some(k) = t.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(ConfigError::UnknownKey {
                file: self.file.to_owned(),
                key: format!("{}.{k}", self.key),
                suggestion: closest(k, keys).map(|s| format!("{}.{s}", self.key)),
            });
        }
        Ok(t)
    }
}
