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
        Ok(Self::at(base.join(Self::default_dir_name())))
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

    /// The rotating log files of each server (stderr and its logging notifications).
    pub fn server_logs(&self) -> PathBuf {
        self.logs().join("servers")
    }

    /// Where servers installed from a git repository (the `github` transport) are cloned and built.
    pub fn server_installs(&self) -> PathBuf {
        self.home.join("servers")
    }

    /// Run-time files of the Atrium processes using this home (the control socket, the records of running
    /// servers' process groups); the directory is private to its owner.
    pub fn run_dir(&self) -> PathBuf {
        self.home.join("run")
    }

    /// The keychain namespace of this home. The default home of a release build is `atrium` and of a debug build
    /// `atrium-dev`; any other home (a test's, a second profile's) gets `atrium-home-<hash of its path>`, so it can
    /// never read or overwrite the entries of another home.
    pub fn keychain_namespace(&self) -> String {
        let default = dirs::data_dir().map(|base| base.join(Self::default_dir_name()));
        if default.as_deref() == Some(self.home.as_path()) {
            return Self::default_dir_name().to_owned();
        }
        let home = std::fs::canonicalize(&self.home).unwrap_or_else(|_| self.home.clone());
        let digest =
            sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(home.to_string_lossy().as_bytes()));
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        format!("atrium-home-{hex}")
    }

    fn default_dir_name() -> &'static str {
        if cfg!(debug_assertions) { "atrium-dev" } else { "atrium" }
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

    #[test]
    fn each_home_has_its_own_keychain_namespace() {
        let a = AtriumPaths::at("/tmp/home-a").keychain_namespace();
        let b = AtriumPaths::at("/tmp/home-b").keychain_namespace();
        assert!(a.starts_with("atrium-home-") && b.starts_with("atrium-home-"), "{a} {b}");
        assert_ne!(a, b);
        assert_eq!(a, AtriumPaths::at("/tmp/home-a").keychain_namespace(), "stable");
        assert_ne!(a, "atrium");
    }
}
