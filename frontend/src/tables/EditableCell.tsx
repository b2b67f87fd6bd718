// A table cell that edits in place: double-click it, press Enter on it, or use its pencil button (for the
// keyboard and touch). Enter or leaving the input saves, Escape cancels. The save is optimistic (the
// table's cache changes at once and rolls back on error), so the editor closes as soon as it commits.
import { Select, TextInput } from "@mantine/core";
import { IconPencil } from "@tabler/icons-react";
import { useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { EditSpec } from "./cellEdit";

export type SaveCell<T> = (row: T, spec: EditSpec<T>, text: string, what: string) => Promise<void>;

const stop = (event: { stopPropagation: () => void }) => event.stopPropagation();

export function EditableCell<T>({
  row,
  spec,
  label,
  record,
  onSave,
  children,
}: {
  row: T;
  spec: EditSpec<T>;
  /** The column's name ("Title"). */
  label: string;
  /** The record's title ("Ada Lovelace"). */
  record: string;
  onSave: SaveCell<T>;
  children: ReactNode;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const done = useRef(false);
  const cell = useRef<HTMLDivElement>(null);
  const what = `${label} of ${record}`;

  const open = () => {
    done.current = false;
    setDraft(spec.value(row));
    setEditing(true);
  };
  const close = () => {
    done.current = true;
    setEditing(false);
    // Back on the cell, so Enter edits it again and Tab goes on from here.
    requestAnimationFrame(() => cell.current?.focus({ preventScroll: true }));
  };
  const commit = (text: string) => {
    if (done.current) return;
    close();
    if (text !== spec.value(row)) {
      // Errors are told by the save (a notification) and undone in the cache.
      onSave(row, spec, text, what).catch(() => undefined);
    }
  };
  const keys = (event: KeyboardEvent) => {
    event.stopPropagation();
    if (event.key === "Enter") {
      event.preventDefault();
      commit(draft);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  };

  if (editing) {
    return (
      <div className="cell-editor" onClick={stop} onDoubleClick={stop}>
        {spec.input === "select" ? (
          <Select
            aria-label={`Edit ${what}`}
            size="xs"
            autoFocus
            defaultDropdownOpened
            searchable={false}
            allowDeselect={false}
            data={spec.choices ?? []}
            value={draft || null}
            comboboxProps={{ withinPortal: true }}
            onChange={(chosen) => commit(chosen ?? "")}
            onDropdownClose={() => {
              if (!done.current) close();
            }}
            onKeyDown={(event) => {
              if (event.key === "Escape") {
                event.stopPropagation();
                close();
              }
            }}
          />
        ) : (
          <TextInput
            aria-label={`Edit ${what}`}
            size="xs"
            type={spec.input}
            autoFocus
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
            onBlur={() => commit(draft)}
            onKeyDown={keys}
          />
        )}
      </div>
    );
  }
  return (
    <div
      ref={cell}
      className="cell-editable"
      tabIndex={-1}
      data-field={spec.field}
      onClick={stop}
      onDoubleClick={(event) => {
        event.stopPropagation();
        open();
      }}
      onKeyDown={(event) => {
        if (event.key === "Enter" || event.key === "F2") {
          event.preventDefault();
          event.stopPropagation();
          open();
        }
      }}
    >
      <div className="cell-value">{children}</div>
      <button type="button" className="cell-pencil" aria-label={`Edit ${what}`} onClick={(event) => {
        event.stopPropagation();
        open();
      }}>
        <IconPencil size={14} aria-hidden />
      </button>
    </div>
  );
}
