import { describe, expect, it } from "vitest";
import { slugFrom, workspaceAddress } from "./workspace";

const at = (hostname: string, port = "") => ({ hostname, port, protocol: "http:" });

describe("workspaceAddress", () => {
  it("keeps the page's port when signing up on the bare domain", () => {
    expect(workspaceAddress("http://acme.localhost:8000/", "acme", false, at("localhost", "5173"))).toBe(
      "http://acme.localhost:5173/",
    );
  });

  it("switches between workspaces on the same base domain", () => {
    expect(workspaceAddress("http://beta.localhost:8000/", "beta", true, at("demo.localhost", "9000"))).toBe(
      "http://beta.localhost:9000/",
    );
  });

  it("keeps the API's address when it is on another domain", () => {
    expect(workspaceAddress("https://acme.rapport.example/", "acme", false, at("localhost", "5173"))).toBe(
      "https://acme.rapport.example/",
    );
  });
});

describe("slugFrom", () => {
  it("proposes a slug from a name", () => {
    expect(slugFrom("  Ünïcode & Sons, Ltd. ")).toBe("unicode-sons-ltd");
  });
});
