//! The package indexes to ask, in order, and the credentials each one's URL carries.

use super::download::{self, Credentials};
use crate::config::DepsSettings;

/// The default index, as pip and uv use it.
pub const PYPI: &str = "https://pypi.org/simple";

/// The index settings: the main index (credentials split off) and the extra ones.
pub struct Indexes {
    pub urls: Vec<String>,
    pub credentials: Vec<Credentials>,
}

impl Indexes {
    pub fn new(settings: &DepsSettings, from_input: &[String]) -> Indexes {
        let main = settings
            .index_url
            .clone()
            .or_else(|| from_input.first().cloned())
            .unwrap_or_else(|| PYPI.to_owned());
        let extra = settings
            .extra_index_urls
            .clone()
            .unwrap_or_else(|| from_input.iter().skip(1).cloned().collect());
        let mut urls = Vec::new();
        let mut credentials = Vec::new();
        for url in std::iter::once(main).chain(extra) {
            let (plain, creds) = download::split_credentials(&url);
            if !urls.contains(&plain) {
                urls.push(plain);
            }
            credentials.extend(creds);
        }
        Indexes { urls, credentials }
    }

    /// The main index, which the resolver names pages by.
    pub fn main(&self) -> &str {
        self.urls.first().map_or(PYPI, String::as_str)
    }
}
