import { describe, expect, it } from "vitest";
import { consentSummary, freeName, listed, redirectHost } from "./consent";

describe("consent", () => {
  it("says what approving gives in one sentence", () => {
    expect(listed([])).toBe("");
    expect(listed(["read", "write"])).toBe("read and write");
    expect(listed(["read", "write", "share"])).toBe("read, write and share");
    expect(consentSummary("Cursor", ["read", "write"], ["Recipes"], ["Everything"])).toBe(
      "Cursor gets read and write on Recipes and the Everything server.",
    );
    expect(consentSummary(" ", [], [], ["A", "B"])).toBe("The agent gets nothing on every workspace and the A and B servers.");
    expect(consentSummary("X", ["read"], [], [])).toBe("X gets read on every workspace and every server no other agent names.");
  });

  it("finds a free name and the host a code goes to", () => {
    expect(freeName("Cursor", ["cursor", "Cursor 2"])).toBe("Cursor 3");
    expect(freeName("Cursor", ["Claude"])).toBe("Cursor");
    expect(freeName("  ", [])).toBe("OAuth app");
    expect(redirectHost("http://127.0.0.1:33418/callback")).toBe("127.0.0.1:33418");
    expect(redirectHost("cursor://anysphere.cursor-mcp/oauth/callback")).toBe("cursor://anysphere.cursor-mcp");
    expect(redirectHost("not a url")).toBe("not a url");
  });
});
