// Workspaces live at <slug>.<base domain>. The API names a workspace's address (signup, switcher); when
// that address is this page's base domain with the slug in front, the page's own scheme and port are
// kept, so a workspace opened through the dev server (:5173) or another port stays there.

/** The address to open for workspace `slug`, which the API gave as `apiUrl`. */
export function workspaceAddress(
  apiUrl: string,
  slug: string,
  onWorkspaceHost: boolean,
  here: Pick<Location, "hostname" | "port" | "protocol"> = location,
): string {
  const base = onWorkspaceHost ? here.hostname.split(".").slice(1).join(".") : here.hostname;
  try {
    if (base && new URL(apiUrl).hostname === `${slug}.${base}`) {
      return `${here.protocol}//${slug}.${base}${here.port ? `:${here.port}` : ""}/`;
    }
  } catch {
    // Not a URL: fall through to what the API said.
  }
  return apiUrl;
}

/** A slug proposed from an organization's name: lower case letters, digits and dashes. */
export function slugFrom(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
}
