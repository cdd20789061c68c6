//! Where Atrium keeps its files. Everything lives under one home directory so that tests, benchmarks and a user's
//! second profile can each point `ATRIUM_HOME` somewhere else and never touch the real data.

use std::path::{Path, PathBuf};

use crate::{Result, StoreError};

/// The environment variable that overrides the home directory.
pub const HOME_ENV: &str = "ATRIUM_HOME";

/// The directories and files of one Atrium home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtriumPaths {
    home: PathBuf,
}

impl AtriumPaths {
    /// Uses `ATRIUM_HOME` when set, otherwise the platform data directory (`~/.local/share/atrium` on Linux).
    /// Debug builds use `atrium-dev` so that working on Atrium never touches a user's real store.
    pub fn from_env() -> Result<Self> {
        if let Some(home) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Ok(Self::at(PathBuf::from(home)));
        }
        let base = dirs::data_dir().ok_or(StoreError::NoHomeDirectory)?;
        let name = if cfg!(debug_assertions) { "atrium-dev" } else { "atrium" };
        Ok(Self::at(base.join(name)))
    }

    /// A home at an explicit directory.
    pub fn at(home: impl Into<PathBuf>) -> Self {
        Self { home: home.into() }
    }

    /// The home directory itself.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The SQLite database file.
    pub fn database(&self) -> PathBuf {
        self.home.join("atrium.db")
    }

    /// The directory of rolling log files.
    pub fn logs(&self) -> PathBuf {
        self.home.join("logs")
    }

    /// Creates the home and its subdirectories if they do not exist.
    pub fn ensure(&self) -> Result<()> {
        for dir in [self.home.clone(), self.logs()] {
            std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io { path: dir.clone(), source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_live_under_the_home() {
        let paths = AtriumPaths::at("/tmp/some-home");
        assert_eq!(paths.database(), PathBuf::from("/tmp/some-home/atrium.db"));
        assert_eq!(paths.logs(), PathBuf::from("/tmp/some-home/logs"));
        assert!(paths.database().starts_with(paths.home()));
    }
}
