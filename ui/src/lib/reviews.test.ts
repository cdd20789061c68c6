import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Review } from "./bindings";

const quiet = vi.hoisted(() => ({ artifactReviews: vi.fn() }));
vi.mock("./api", () => ({ api: { quiet } }));

const { ArtifactReviews } = await import("./reviews.svelte");

const review = (id: string, version: number, verdict: Review["verdict"], over: Partial<Review> = {}): Review => ({
  id,
  artifact_id: "a1",
  version,
  verdict,
  comment: "",
  reviewer_id: "agent-1",
  reviewer_name: "Critic",
  created_time: "2026-12-07T22:00:00Z",
  ...over,
});

beforeEach(() => quiet.artifactReviews.mockReset());

describe("ArtifactReviews", () => {
  it("reads an artifact's reviews once, by version, with the newest verdict that is one", async () => {
    const list = [review("r3", 2, "commented", { comment: "typo" }), review("r2", 2, "approved"), review("r1", 1, "changes_requested")];
    quiet.artifactReviews.mockResolvedValue(list);
    const reviews = new ArtifactReviews();
    reviews.show("a1");
    await vi.waitFor(() => expect(reviews.list).toHaveLength(3));
    reviews.show("a1");
    expect(quiet.artifactReviews).toHaveBeenCalledTimes(1);
    expect(reviews.ofVersion(2).map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(reviews.latestVerdict?.id).toBe("r2");
  });

  it("reads again when the shown artifact is reviewed, not when another one is", async () => {
    quiet.artifactReviews.mockResolvedValue([]);
    const reviews = new ArtifactReviews();
    await reviews.load("a1");
    reviews.onReviewed("other");
    expect(quiet.artifactReviews).toHaveBeenCalledTimes(1);
    quiet.artifactReviews.mockResolvedValue([review("r1", 1, "approved")]);
    reviews.onReviewed("a1");
    await vi.waitFor(() => expect(reviews.list).toHaveLength(1));
  });

  it("keeps only the answer for the artifact shown last, and nothing after a failure", async () => {
    let answerFirst: (r: Review[]) => void = () => {};
    quiet.artifactReviews.mockReturnValueOnce(new Promise<Review[]>((resolve) => (answerFirst = resolve)));
    quiet.artifactReviews.mockResolvedValueOnce([review("b1", 1, "approved", { artifact_id: "b" })]);
    const reviews = new ArtifactReviews();
    const first = reviews.load("a1");
    await reviews.load("b");
    answerFirst([review("r1", 1, "approved")]);
    await first;
    expect(reviews.list.map((r) => r.id)).toEqual(["b1"]);
    quiet.artifactReviews.mockRejectedValueOnce(new Error("gone"));
    await reviews.load("c");
    expect(reviews.list).toEqual([]);
    reviews.show(null);
    expect(reviews.latestVerdict).toBeNull();
  });
});
