import type { Artifact, ArtifactPatch, ArtifactState, NewArtifact } from "./bindings";

/** What the editor form holds. */
export interface ArtifactForm {
  title: string;
  content_type: string;
  content: string;
  state: ArtifactState;
}

export const ARTIFACT_STATES: { value: ArtifactState; label: string }[] = [
  { value: "draft", label: "Draft" },
  { value: "committed", label: "Committed" },
  { value: "archived", label: "Archived" },
];

export function formFromArtifact(a: Pick<Artifact, "title" | "content_type" | "content" | "state">): ArtifactForm {
  return { title: a.title, content_type: a.content_type, content: a.content, state: a.state };
}

export function emptyForm(contentType: string): ArtifactForm {
  return { title: "", content_type: contentType, content: "", state: "draft" };
}

/** Names of the fields that differ from the loaded artifact. */
export function changedFields(loaded: ArtifactForm, form: ArtifactForm): (keyof ArtifactForm)[] {
  return (["title", "content_type", "content", "state"] as const).filter((k) => loaded[k] !== form[k]);
}

/**
 * The update to send: `expected_version` is the version the edits were made against, and only
 * changed fields are set; everything else is null ("leave as is"). Context is not edited here.
 */
export function buildPatch(loaded: Artifact, form: ArtifactForm): ArtifactPatch {
  const changed = new Set(changedFields(formFromArtifact(loaded), form));
  return {
    expected_version: loaded.version,
    title: changed.has("title") ? form.title : null,
    content_type: changed.has("content_type") ? form.content_type : null,
    content: changed.has("content") ? form.content : null,
    context: null,
    state: changed.has("state") ? form.state : null,
  };
}

export function buildNewArtifact(workspaceId: string, form: ArtifactForm): NewArtifact {
  return {
    workspace_id: workspaceId,
    title: form.title,
    content_type: form.content_type,
    content: form.content,
    context: null,
    state: form.state,
  };
}

/** Whether a "new" form has anything worth asking about before throwing it away. */
export function isNewFormDirty(form: ArtifactForm, defaultType: string): boolean {
  return form.title.trim() !== "" || form.content !== "" || form.content_type !== defaultType || form.state !== "draft";
}
