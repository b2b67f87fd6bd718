// Pure helpers of the profile, audit log and webhook screens (tested in settings.test.ts).

/** An SVG path drawing the dark modules of a QR matrix, one unit square each (a quiet zone is the caller's). */
export function qrPath(matrix: boolean[][]): string {
  const parts: string[] = [];
  matrix.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x += 1;
      parts.push(`M${start} ${y}h${x - start}v1h${start - x}z`);
    }
  });
  return parts.join("");
}

/** "JBSWY3DPEHPK3PXP" as "JBSW Y3DP EHPK 3PXP": easier to type into an authenticator app. */
export function groupedSecret(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(" ");
}

/** A browser's user agent in a few words ("Chrome on Linux"); the raw string when nothing is recognised. */
export function browserOf(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown browser";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /python-httpx|curl/i.test(userAgent)
            ? "Script"
            : null;
  const system = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (!browser) return userAgent.slice(0, 60);
  return system ? `${browser} on ${system}` : browser;
}

export interface AuditFilters {
  action: string;
  actor_user_id: string | null;
  object_type: string;
  object_id: string;
  /** Days ("2026-12-01") in the browser's zone: from the start of `from` to the end of `to`. */
  from: string;
  to: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { action: "", actor_user_id: null, object_type: "", object_id: "", from: "", to: "" };

/** The start of a day in the browser's zone as an instant; `days` later for the end of a range. */
export function dayStart(day: string, days = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days).toISOString();
}

/** The audit list's query parameters: only the filters that are set, trimmed. */
export function auditQuery(filters: AuditFilters): Record<string, string> {
  const query: Record<string, string> = {};
  const action = filters.action.trim();
  const objectType = filters.object_type.trim();
  const objectId = filters.object_id.trim();
  if (action) query.action = action;
  if (filters.actor_user_id) query.actor_user_id = filters.actor_user_id;
  if (objectType) query.object_type = objectType;
  if (objectId) query.object_id = objectId;
  const since = dayStart(filters.from);
  const until = dayStart(filters.to, 1);
  if (since) query.since = since;
  if (until) query.until = until;
  return query;
}

/** The CSV export's address for the same filters. */
export function auditExportHref(filters: AuditFilters): string {
  const params = new URLSearchParams({ ...auditQuery(filters), format: "csv" });
  return `/api/v1/audit/export?${params.toString()}`;
}

/** An audit event's changes in one line: "name: Old → New; stage: 3". */
export function changesSummary(changes: Record<string, unknown>): string {
  return Object.entries(changes)
    .map(([field, value]) => {
      if (Array.isArray(value) && value.length === 2) {
        return `${field}: ${show(value[0])} → ${show(value[1])}`;
      }
      return `${field}: ${show(value)}`;
    })
    .join("; ");
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** Names (webhook events, email domains) typed one per line or separated by commas, without blanks or repeats. */
export function listOf(text: string): string[] {
  const names = text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);
  return [...new Set(names)];
}
