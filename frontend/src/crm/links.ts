// Where a record opens in the app. Deals have no page of their own: a deal opens the deals table
// filtered to it. An activity opens the Activities page.
const PAGES: Record<string, string> = { contact: "contacts", company: "companies", lead: "leads" };

export function recordAddress(type: string, id: number): string {
  if (type === "deal") {
    return `/deals?${new URLSearchParams({ mode: "table", filter: JSON.stringify({ field: "id", op: "eq", value: id }) })}`;
  }
  if (type === "activity") {
    return "/activities";
  }
  return `/${PAGES[type] ?? type}/${id}`;
}
