// The member's role, read for the screens: what they may do per record type and which fields it hides.

interface ObjectRule {
  ops: string[];
  scope: string;
  fields: Record<string, "hidden" | "read_only">;
}

export interface Permissions {
  admin: boolean;
  role: string;
  /** May the member do `op` (create, read, update, delete, export) on records of `type`? */
  can: (type: string, op: string) => boolean;
  /** The object-type fields of `type` the member's role hides. */
  hidden: (type: string) => Set<string>;
  readOnly: (type: string) => Set<string>;
}

export function permissionsOf(role: { key: string; admin: boolean; permissions: Record<string, unknown> }): Permissions {
  const objects = (role.permissions.objects ?? {}) as Record<string, ObjectRule>;
  const rule = (type: string): ObjectRule | undefined => objects[type] ?? objects["*"];
  const withRule = (type: string, wanted: string) =>
    new Set(
      Object.entries(rule(type)?.fields ?? {})
        .filter(([, value]) => value === wanted)
        .map(([name]) => name),
    );
  return {
    admin: role.admin,
    role: role.key,
    can: (type, op) => rule(type)?.ops.includes(op) ?? false,
    hidden: (type) => withRule(type, "hidden"),
    readOnly: (type) => withRule(type, "read_only"),
  };
}
