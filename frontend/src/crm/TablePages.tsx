import { useSearchParams } from "react-router";
import { COMPANIES, CONTACTS, LEADS } from "../tables/columns";
import { RecordTable } from "../tables/RecordTable";
import { NewCompanyModal, NewContactModal, NewLeadModal } from "./NewRecordModal";

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

export function ContactsPage() {
  const [creating, create, close] = useCreateDialog();
  return (
    <>
      <RecordTable catalogue={CONTACTS} onCreate={create} rowHref={(row) => `/contacts/${row.id}`} />
      <NewContactModal opened={creating} onClose={close} />
    </>
  );
}

export function CompaniesPage() {
  const [creating, create, close] = useCreateDialog();
  return (
    <>
      <RecordTable catalogue={COMPANIES} onCreate={create} rowHref={(row) => `/companies/${row.id}`} />
      <NewCompanyModal opened={creating} onClose={close} />
    </>
  );
}

export function LeadsPage() {
  const [creating, create, close] = useCreateDialog();
  return (
    <>
      <RecordTable catalogue={LEADS} onCreate={create} rowHref={(row) => `/leads/${row.id}`} />
      <NewLeadModal opened={creating} onClose={close} />
    </>
  );
}
