/**
 * Text, Markdown and JSON files dropped on a workspace become artifacts: the type from the extension, the title
 * from the name, checked by the store's own validation (as typing is) before anything is created.
 */
import { api } from "./api";
import type { Artifact, FieldProblem } from "./bindings";
import type { DroppedFile } from "./fileDrop";

const TYPES: Record<string, string> = {
  txt: "text/plain",
  text: "text/plain",
  md: "text/markdown",
  markdown: "text/markdown",
  json: "application/json",
};

/** The artifact a dropped file becomes, or null when its extension is not one of .txt, .md, .json. */
export function artifactFromFile(name: string): { title: string; content_type: string } | null {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  const type = TYPES[name.slice(dot + 1).toLowerCase()];
  return type ? { title: name.slice(0, dot), content_type: type } : null;
}

export interface DropOutcome {
  created: Artifact[];
  /** Files not of a known type. */
  ignored: string[];
  /** Files the store refused, with its first problem. */
  refused: { name: string; problem: string }[];
}

function firstProblem(problems: FieldProblem[]): string {
  return problems[0].message;
}

export async function createFromFiles(workspaceId: string, files: DroppedFile[]): Promise<DropOutcome> {
  const out: DropOutcome = { created: [], ignored: [], refused: [] };
  for (const f of files) {
    const kind = artifactFromFile(f.name);
    if (!kind) {
      out.ignored.push(f.name);
      continue;
    }
    const draft = { title: kind.title, content_type: kind.content_type, content: f.text };
    const problems = await api.artifactValidate(draft);
    if (problems.length > 0) {
      out.refused.push({ name: f.name, problem: firstProblem(problems) });
      continue;
    }
    out.created.push(await api.artifactCreate({ workspace_id: workspaceId, ...draft, context: null, state: "draft" }));
  }
  return out;
}
