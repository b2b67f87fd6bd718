// Names of referenced records (a contact's company, a deal's contact): one list call per group of ids.
import { useQueries } from "@tanstack/react-query";
import { keys } from "../api/keys";
import { listRecords, titleOf, type RecordType } from "../api/records";

const FIELDS: Record<RecordType, string[]> = {
  company: ["id", "name"],
  contact: ["id", "first_name", "last_name", "email"],
  deal: ["id", "name"],
  lead: ["id", "first_name", "last_name", "email"],
};

/** id → title of the records of `type` named in `groups` (each group is looked up with one request). */
export function useNames(type: RecordType, groups: (number | null | undefined)[][]): Map<number, string> {
  const wanted = groups
    .map((group) => [...new Set(group.filter((id): id is number => typeof id === "number"))].sort((a, b) => a - b))
    .filter((ids) => ids.length > 0);
  const results = useQueries({
    queries: wanted.map((ids) => ({
      queryKey: keys.names(type, ids),
      queryFn: () =>
        listRecords(type, { filter: { field: "id", op: "in", value: ids }, fields: FIELDS[type], limit: 200 }),
      staleTime: 60_000,
    })),
  });
  const names = new Map<number, string>();
  for (const result of results) {
    for (const record of result.data?.items ?? []) {
      names.set(record.id, titleOf(type, record));
    }
  }
  return names;
}
