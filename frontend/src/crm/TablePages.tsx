import { Anchor, Text } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { contactName, type Company, type Contact } from "../api/records";
import { formatDate } from "./format";
import { NewCompanyModal, NewContactModal } from "./NewRecordModal";
import { RecordTable, type TableConfig } from "./RecordTable";
import { useNames } from "./useNames";

const stop = (event: { stopPropagation: () => void }) => event.stopPropagation();

/** `?new=1` opens the create dialog (the command palette's "New …" links there). */
function useCreateDialog(): [boolean, () => void, () => void] {
  const [params, setParams] = useSearchParams();
  const change = (open: boolean) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (open) next.set("new", "1");
      else next.delete("new");
      return next;
    });
  return [params.get("new") === "1", () => change(true), () => change(false)];
}

const CONTACTS: TableConfig<"contact"> = {
  type: "contact",
  title: "Contacts",
  singular: "contact",
  defaultSort: "-created_at",
  sorts: [
    { value: "-created_at", label: "Newest first" },
    { value: "created_at", label: "Oldest first" },
    { value: "last_name", label: "Last name A–Z" },
    { value: "-last_name", label: "Last name Z–A" },
    { value: "-updated_at", label: "Recently updated" },
  ],
};

export function ContactsPage() {
  const [creating, create, close] = useCreateDialog();
  return (
    <>
      <RecordTable
        config={CONTACTS}
        onCreate={create}
        useRowNames={(pages) => useNames("company", pages.map((rows) => rows.map((row) => row.company)))}
        columns={(companies) => [
          {
            key: "name",
            label: "Name",
            sort: "last_name",
            render: (row: Contact) => (
              <Anchor component={Link} to={`/contacts/${row.id}`} onClick={stop} fw={500} size="sm">
                {contactName(row)}
              </Anchor>
            ),
          },
          { key: "email", label: "Email", render: (row) => <Text size="sm">{row.email ?? ""}</Text> },
          { key: "phone", label: "Phone", render: (row) => <Text size="sm">{row.phones?.[0]?.value ?? ""}</Text> },
          { key: "title", label: "Title", render: (row) => <Text size="sm">{row.title ?? ""}</Text> },
          {
            key: "company",
            label: "Company",
            render: (row) =>
              row.company ? (
                <Anchor component={Link} to={`/companies/${row.company}`} onClick={stop} size="sm">
                  {companies.get(row.company) ?? "…"}
                </Anchor>
              ) : null,
          },
          {
            key: "created_at",
            label: "Created",
            sort: "created_at",
            render: (row) => <Text size="sm" c="dimmed">{formatDate(row.created_at)}</Text>,
          },
        ]}
      />
      <NewContactModal opened={creating} onClose={close} />
    </>
  );
}

const COMPANIES: TableConfig<"company"> = {
  type: "company",
  title: "Companies",
  singular: "company",
  defaultSort: "-created_at",
  sorts: [
    { value: "-created_at", label: "Newest first" },
    { value: "created_at", label: "Oldest first" },
    { value: "name", label: "Name A–Z" },
    { value: "-name", label: "Name Z–A" },
    { value: "-updated_at", label: "Recently updated" },
  ],
};

export function CompaniesPage() {
  const [creating, create, close] = useCreateDialog();
  return (
    <>
      <RecordTable
        config={COMPANIES}
        onCreate={create}
        useRowNames={(pages) => useNames("company", pages.map((rows) => rows.map((row) => row.parent)))}
        columns={(parents) => [
          {
            key: "name",
            label: "Name",
            sort: "name",
            render: (row: Company) => (
              <Anchor component={Link} to={`/companies/${row.id}`} onClick={stop} fw={500} size="sm">
                {row.name ?? `Company ${row.id}`}
              </Anchor>
            ),
          },
          { key: "domain", label: "Domain", render: (row) => <Text size="sm">{row.domain ?? ""}</Text> },
          { key: "industry", label: "Industry", render: (row) => <Text size="sm">{row.industry ?? ""}</Text> },
          {
            key: "parent",
            label: "Parent company",
            render: (row) =>
              row.parent ? (
                <Anchor component={Link} to={`/companies/${row.parent}`} onClick={stop} size="sm">
                  {parents.get(row.parent) ?? "…"}
                </Anchor>
              ) : null,
          },
          {
            key: "created_at",
            label: "Created",
            sort: "created_at",
            render: (row) => <Text size="sm" c="dimmed">{formatDate(row.created_at)}</Text>,
          },
        ]}
      />
      <NewCompanyModal opened={creating} onClose={close} />
    </>
  );
}
