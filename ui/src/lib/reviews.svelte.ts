/**
 * The reviews agents gave the open artifact (the gateway's `review_artifact`): read when an artifact opens and
 * again when an agent reviews it, so the History tab can say so without being opened.
 */
import { api } from "./api";
import type { Review, ReviewVerdict } from "./bindings";
import { latestOnly } from "./debounce";

export const VERDICT_LABEL: Record<ReviewVerdict, string> = {
  approved: "Approved",
  changes_requested: "Changes requested",
  commented: "Commented",
};

export class ArtifactReviews {
  /** Newest first. */
  list = $state<Review[]>([]);
  #artifactId: string | null = null;
  #ticket = latestOnly();

  /** Reads the reviews of `artifactId` (none for `null`); a failure leaves the list empty, quietly. */
  async load(artifactId: string | null): Promise<void> {
    this.#artifactId = artifactId;
    const ticket = this.#ticket.next();
    if (!artifactId) {
      this.list = [];
      return;
    }
    try {
      const list = await api.quiet.artifactReviews(artifactId);
      if (this.#ticket.isCurrent(ticket)) this.list = list;
    } catch {
      if (this.#ticket.isCurrent(ticket)) this.list = [];
    }
  }

  /** Shows the reviews of `artifactId`: read unless they are the ones shown already. */
  show(artifactId: string | null): void {
    if (artifactId !== this.#artifactId) void this.load(artifactId);
  }

  /** An agent reviewed `artifactId`: read again when it is the one shown. */
  onReviewed(artifactId: string): void {
    if (artifactId === this.#artifactId) void this.load(artifactId);
  }

  /** The reviews of one version, newest first. */
  ofVersion(version: number): Review[] {
    return this.list.filter((r) => r.version === version);
  }

  /** The newest verdict that is one (a comment is not), for a badge. */
  get latestVerdict(): Review | null {
    return this.list.find((r) => r.verdict !== "commented") ?? null;
  }
}
