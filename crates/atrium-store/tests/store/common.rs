use atrium_store::{AtriumPaths, NewArtifact, NewWorkspace, Store, Workspace};
use tempfile::TempDir;

pub struct Fixture {
    pub dir: TempDir,
    pub store: Store,
}

impl Fixture {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&AtriumPaths::at(dir.path())).await.expect("open store");
        Self { dir, store }
    }

    pub fn paths(&self) -> AtriumPaths {
        AtriumPaths::at(self.dir.path())
    }

    pub async fn workspace(&self, title: &str) -> Workspace {
        self.store.create_workspace(NewWorkspace { title: title.into(), description: None }).await.expect("workspace")
    }
}

pub fn note(workspace: &Workspace, title: &str, content: &str) -> NewArtifact {
    NewArtifact {
        workspace_id: workspace.id.clone(),
        title: title.into(),
        content_type: "text/markdown".into(),
        content: Some(content.into()),
        ..Default::default()
    }
}
