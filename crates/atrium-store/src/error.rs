use std::path::PathBuf;

use crate::model::FieldProblem;

/// What kind of record an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A workspace.
    Workspace,
    /// An artifact.
    Artifact,
    /// One stored version of an artifact.
    Revision,
    /// A sync conflict.
    Conflict,
    /// An agent (a gateway client).
    Agent,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::Workspace => "workspace",
            Entity::Artifact => "artifact",
            Entity::Revision => "revision",
            Entity::Conflict => "sync conflict",
            Entity::Agent => "agent",
        })
    }
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input was refused before anything was written.
    #[error("{}", describe_problems(.0))]
    Invalid(Vec<FieldProblem>),
    /// No record with that id exists.
    #[error("no {entity} with id {id}")]
    NotFound {
        /// The kind of record looked for.
        entity: Entity,
        /// The id looked for.
        id: String,
    },
    /// The record changed since the caller read it; nothing was written.
    #[error("{entity} {id} is at version {actual}, not {expected}: it changed since you opened it")]
    VersionConflict {
        /// The kind of record.
        entity: Entity,
        /// Its id.
        id: String,
        /// The version the caller based its edit on.
        expected: u32,
        /// The version stored now.
        actual: u32,
    },
    /// The database was written by a newer Atrium; opening it here could corrupt it.
    #[error(
        "the database at {path} has schema version {found}, but this Atrium only knows up to {supported}: update Atrium"
    )]
    DatabaseTooNew {
        /// The database file.
        path: PathBuf,
        /// The newest migration recorded in the file.
        found: i64,
        /// The newest migration this binary carries.
        supported: i64,
    },
    /// A migration that was already applied differs from the one this binary carries.
    #[error(
        "migration {version} applied to {path} differs from the one in this build: the database was made by a different Atrium"
    )]
    MigrationChanged {
        /// The database file.
        path: PathBuf,
        /// The migration whose checksum differs.
        version: i64,
    },
    /// The database file could not be opened (permissions, not a database, locked, …).
    #[error("cannot open the database at {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: sqlx::Error,
    },
    /// The data directory could not be determined (no home directory and no `ATRIUM_HOME`).
    #[error("cannot determine a data directory: set ATRIUM_HOME")]
    NoHomeDirectory,
    /// A file-system operation on the Atrium home failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A stored row could not be read back (a corrupt value).
    #[error("stored {entity} {id} is corrupt: {message}")]
    Corrupt {
        /// The kind of record.
        entity: Entity,
        /// Its id.
        id: String,
        /// What is wrong with it.
        message: String,
    },
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn describe_problems(problems: &[FieldProblem]) -> String {
    problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; ")
}
