import { describe, expect, it } from "vitest";
import { keyOf, typedDefault } from "./customFieldValues";
import { moved } from "./stages";
import { auditExportHref, auditQuery, browserOf, changesSummary, listOf, groupedSecret, NO_AUDIT_FILTERS, qrPath } from "./settingsLogic";
import { matrixOf, permissionsOf, roleKeyOf, rowErrors, ruleSummary } from "./roleMatrix";

describe("new custom field", () => {
  it("makes a key the API accepts from the label", () => {
    expect(keyOf("Renewal date")).toBe("renewal_date");
    expect(keyOf("  2nd Café (EU) ")).toBe("nd_cafe_eu");
    expect(keyOf("x".repeat(60))).toHaveLength(40);
  });

  it("types the default as the field's type", () => {
    expect(typedDefault("number", " 12.5 ")).toBe(12.5);
    expect(typedDefault("boolean", "false")).toBe(false);
    expect(typedDefault("multi_select", "a, b,,c")).toEqual(["a", "b", "c"]);
    expect(typedDefault("text", "   ")).toBeNull();
    expect(typedDefault("select", "gold")).toBe("gold");
  });
});

describe("stages", () => {
  it("move up and down, and not past either end", () => {
    expect(moved(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(moved(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
  });
});

describe("profile, audit log and webhook helpers", () => {
  it("draws each run of dark QR modules as one rectangle", () => {
    expect(qrPath([[true, true, false, true], [false, false, false, false]])).toBe("M0 0h2v1h-2zM3 0h1v1h-1z");
    expect(qrPath([[false]])).toBe("");
  });

  it("groups a TOTP secret by four", () => {
    expect(groupedSecret("JBSWY3DPEHPK3PXP")).toBe("JBSW Y3DP EHPK 3PXP");
    expect(groupedSecret("ABCDEF")).toBe("ABCD EF");
  });

  it("names a session's browser in a few words", () => {
    expect(browserOf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0 Safari/537.36")).toBe("Chrome on Linux");
    expect(browserOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15")).toBe("Safari on macOS");
    expect(browserOf(null)).toBe("Unknown browser");
  });

  it("asks the audit log only for the filters that are set", () => {
    expect(auditQuery(NO_AUDIT_FILTERS)).toEqual({});
    expect(auditQuery({ ...NO_AUDIT_FILTERS, action: " contact.update ", object_id: "42" })).toEqual({ action: "contact.update", object_id: "42" });
    expect(auditExportHref({ ...NO_AUDIT_FILTERS, object_type: "deal" })).toBe("/api/v1/audit/export?object_type=deal&format=csv");
    const days = auditQuery({ ...NO_AUDIT_FILTERS, from: "2026-12-01", to: "2026-12-01" });
    expect(days.since).toBe(new Date(2026, 11, 1).toISOString());
    expect(days.until).toBe(new Date(2026, 11, 2).toISOString());
    expect(auditQuery({ ...NO_AUDIT_FILTERS, from: "yesterday" })).toEqual({});
  });

  it("summarises an audit event's changes", () => {
    expect(changesSummary({ name: ["Ann", "Anna"], tags: [null, ["vip"]] })).toBe('name: Ann → Anna; tags: — → ["vip"]');
    expect(changesSummary({})).toBe("");
  });

  it("reads webhook event names from commas or lines", () => {
    expect(listOf("contact.created, deal.*\ncontact.created\n\n")).toEqual(["contact.created", "deal.*"]);
    expect(listOf("  ")).toEqual([]);
  });
});

describe("role matrix", () => {
  const permissions = {
    objects: {
      "*": { ops: ["read"], scope: "all", fields: {} },
      contact: { ops: ["update", "read"], scope: "team", fields: { emails: "hidden", bogus: "x" } },
    },
  };

  it("reads a role's permissions per object type, types without a rule following *", () => {
    const matrix = matrixOf(permissions, ["contact", "deal"]);
    expect(matrix["*"]).toEqual({ own: true, ops: ["read"], scope: "all", fields: {} });
    expect(matrix.contact).toEqual({ own: true, ops: ["read", "update"], scope: "team", fields: { emails: "hidden" } });
    expect(matrix.deal?.own).toBe(false);
    expect(matrixOf(null, ["deal"])["*"]).toEqual({ own: true, ops: [], scope: "own", fields: {} });
  });

  it("writes back only * and the types with a rule of their own", () => {
    const matrix = matrixOf(permissions, ["contact", "deal"]);
    matrix.deal = { own: false, ops: ["delete"], scope: "all", fields: {} };
    expect(permissionsOf(matrix)).toEqual({
      objects: {
        "*": { ops: ["read"], scope: "all", fields: {} },
        contact: { ops: ["read", "update"], scope: "team", fields: { emails: "hidden" } },
      },
    });
  });

  it("summarises a rule and finds a row's errors", () => {
    expect(ruleSummary({ own: true, ops: ["read"], scope: "all", fields: { a: "hidden" } })).toBe("read · all rows · 1 field rule");
    expect(ruleSummary({ own: true, ops: [], scope: "own", fields: {} })).toBe("no access");
    expect(rowErrors({ "permissions.objects.contact.scope": "must be one of: own, team, all", "permissions.objects.deal": "x", name: "y" }, "contact"))
      .toEqual(["scope must be one of: own, team, all"]);
  });

  it("makes a role key from the name", () => {
    expect(roleKeyOf("Support Team")).toBe("support-team");
    expect(roleKeyOf("2nd Café line!")).toBe("nd-cafe-line");
  });
});
