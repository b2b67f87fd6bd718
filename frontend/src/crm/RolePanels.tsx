// Contact roles on record pages: a deal's contacts with their role (add, change, remove), a contact's other
// companies with a free-text role, and a company's people related by a role. Edit controls show only when
// the member may update the deal (or the contact); the API checks it again.
import { ActionIcon, Alert, Anchor, Badge, Button, Group, Paper, Select, Skeleton, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconX } from "@tabler/icons-react";
import { useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { messageOf } from "../api/client";
import { keys } from "../api/keys";
import { recordPath, type RecordType } from "../api/records";
import { formErrors, NO_ERRORS, type FormErrors } from "../settings/errors";
import { CompanySelect } from "./CompanySelect";
import { ContactSelect } from "./ContactSelect";
import { InlineText } from "./InlineFields";
import {
  companyPeople,
  contactCompanies,
  dealContacts,
  DEAL_ROLES,
  removeContactCompany,
  removeDealContact,
  roleKeys,
  roleLabel,
  setContactCompany,
  setDealContact,
  type Related,
} from "./roles";

/** After a change of the relations of `owner`: the list and the owner's timeline (the change is audited there). */
function useRefresh(list: QueryKey, owner: RecordType) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: list }),
      client.invalidateQueries({ queryKey: [...keys.records(owner), "timeline"] }),
    ]);
}

function Panel({ title, count, testId, children }: { title: string; count?: number; testId: string; children: ReactNode }) {
  return (
    <Paper withBorder p="lg" radius="md" data-testid={testId}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        {count !== undefined && (
          <Badge variant="light" color="gray">
            {count}
          </Badge>
        )}
      </Group>
      {children}
    </Paper>
  );
}

function States({ query, empty }: { query: { isPending: boolean; isError: boolean; error: unknown; data?: Related[] }; empty: string }) {
  return (
    <>
      {query.isPending && <Skeleton height={48} />}
      {query.isError && (
        <Text size="sm" c="red">
          {messageOf(query.error)}
        </Text>
      )}
      {query.data && query.data.length === 0 && (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      )}
    </>
  );
}

function Who({ type, item }: { type: RecordType; item: Related }) {
  return (
    <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
      <Anchor component={Link} to={recordPath(type, item.id)} size="sm" truncate>
        {item.title || `${type === "contact" ? "Contact" : "Company"} ${item.id}`}
      </Anchor>
      {item.detail && (
        <Text size="xs" c="dimmed" truncate>
          {item.detail}
        </Text>
      )}
    </Stack>
  );
}

async function attempt(action: () => Promise<unknown>, failure: string): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    notifications.show({ color: "red", title: failure, message: messageOf(error) });
    return false;
  }
}

/** The deal's contacts and their roles. */
export function DealContacts({ deal, editable }: { deal: number; editable: boolean }) {
  const key = roleKeys.dealContacts(deal);
  const contacts = useQuery({ queryKey: key, queryFn: () => dealContacts(deal) });
  const refresh = useRefresh(key, "deal");
  const items = contacts.data ?? [];
  return (
    <Panel title="Contacts and roles" count={contacts.data?.length} testId="deal-contacts">
      <States query={contacts} empty="No contacts on this deal yet." />
      <Stack gap="xs" role="list" aria-label="Contacts on this deal">
        {items.map((item) => (
          <Group key={item.id} gap="sm" wrap="nowrap" role="listitem" data-contact-id={item.id}>
            <Who type="contact" item={item} />
            {editable ? (
              <>
                <Select
                  aria-label={`Role of ${item.title}`}
                  size="xs"
                  w={160}
                  data={DEAL_ROLES}
                  value={item.role}
                  allowDeselect={false}
                  onChange={(role) => {
                    if (role && role !== item.role) {
                      void attempt(() => setDealContact(deal, item.id, role), "The role was not changed").then(refresh);
                    }
                  }}
                />
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`Remove ${item.title} from the deal`}
                  onClick={() => void attempt(() => removeDealContact(deal, item.id), "Not removed").then(refresh)}
                >
                  <IconX size={16} />
                </ActionIcon>
              </>
            ) : (
              <Badge variant="light">{roleLabel(item.role)}</Badge>
            )}
          </Group>
        ))}
      </Stack>
      {editable && (
        <AddRelation
          label="Contact"
          field="contact"
          button="Add contact"
          picker={(value, onChange, error) => (
            <ContactSelect label="Contact" placeholder="Search contacts" value={value} onChange={onChange} error={error}
              exclude={items.map((item) => item.id)} />
          )}
          role={(value, onChange, error) => (
            <Select label="Role" data={DEAL_ROLES} value={value || null} onChange={(role) => onChange(role ?? "")} error={error}
              allowDeselect={false} w={{ base: "100%", sm: 180 }} />
          )}
          initialRole="decision_maker"
          add={(contact, role) => setDealContact(deal, contact, role)}
          onAdded={refresh}
        />
      )}
    </Panel>
  );
}

/** The contact's companies beside their primary one, each with a free-text role. */
export function ContactCompanies({ contact, editable }: { contact: number; editable: boolean }) {
  const key = roleKeys.contactCompanies(contact);
  const companies = useQuery({ queryKey: key, queryFn: () => contactCompanies(contact) });
  const refresh = useRefresh(key, "contact");
  const items = companies.data ?? [];
  return (
    <Panel title="Other companies" count={companies.data?.length} testId="contact-companies">
      <States query={companies} empty="No other companies." />
      <Stack gap="xs" role="list" aria-label="Other companies of this contact">
        {items.map((item) => (
          <Group key={item.id} gap="sm" wrap="nowrap" role="listitem" data-company-id={item.id} align="flex-start">
            <Who type="company" item={item} />
            {editable ? (
              <>
                <div style={{ width: 170 }}>
                  <InlineText label={`Role at ${item.title}`} field="role" errorLabel="The role" value={item.role}
                    save={(role) => setContactCompany(contact, item.id, role.trim()).then(refresh)} />
                </div>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`Remove ${item.title}`}
                  onClick={() => void attempt(() => removeContactCompany(contact, item.id), "Not removed").then(refresh)}
                >
                  <IconX size={16} />
                </ActionIcon>
              </>
            ) : (
              item.role && <Text size="sm">{item.role}</Text>
            )}
          </Group>
        ))}
      </Stack>
      {editable && (
        <AddRelation
          label="Company"
          field="company"
          button="Add company"
          picker={(value, onChange, error) => (
            <CompanySelect label="Company" placeholder="Search companies" value={value} onChange={onChange} error={error} />
          )}
          role={(value, onChange, error) => (
            <TextInput label="Role" placeholder="e.g. Board member" value={value} maxLength={100}
              onChange={(event) => onChange(event.currentTarget.value)} error={error} w={{ base: "100%", sm: 180 }} />
          )}
          initialRole=""
          add={(company, role) => setContactCompany(contact, company, role.trim())}
          onAdded={refresh}
        />
      )}
    </Panel>
  );
}

/** The company's people related to it by a role (set on each contact's page). */
export function CompanyPeople({ company }: { company: number }) {
  const people = useQuery({ queryKey: roleKeys.companyPeople(company), queryFn: () => companyPeople(company) });
  return (
    <Panel title="People by role" count={people.data?.length} testId="company-people">
      <States query={people} empty="No one else is related to this company. Relate a contact from their page." />
      <Stack gap="xs" role="list" aria-label="People related by role">
        {(people.data ?? []).map((item) => (
          <Group key={item.id} gap="sm" wrap="nowrap" role="listitem">
            <Who type="contact" item={item} />
            {item.role && <Text size="sm">{item.role}</Text>}
          </Group>
        ))}
      </Stack>
    </Panel>
  );
}

type Render<T> = (value: T, onChange: (value: T) => void, error: string | undefined) => ReactNode;

function AddRelation({
  label,
  field,
  button,
  picker,
  role,
  initialRole,
  add,
  onAdded,
}: {
  label: string;
  /** The API's name for the other record in errors (`contact`, `company`). */
  field: string;
  button: string;
  picker: Render<number | null>;
  role: Render<string>;
  initialRole: string;
  add: (other: number, role: string) => Promise<unknown>;
  onAdded: () => Promise<unknown>;
}) {
  const [other, setOther] = useState<number | null>(null);
  const [chosenRole, setChosenRole] = useState(initialRole);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (other === null) {
      setErrors({ fields: { [field]: "is required" }, form: null });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await add(other, chosenRole);
      await onAdded();
      setOther(null);
      setChosenRole(initialRole);
    } catch (error) {
      setErrors(formErrors(error, [field, "role"]));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      noValidate
      aria-label={button}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Stack gap="xs" mt="md">
        {errors.form && (
          <Alert color="red" role="alert" p="xs">
            {errors.form}
          </Alert>
        )}
        <Group gap="xs" align="flex-end" wrap="wrap">
          <div style={{ flex: "1 1 200px", minWidth: 0 }}>
            {picker(other, (value) => {
              setOther(value);
              setErrors(NO_ERRORS);
            }, errors.fields[field] ? `${label}: ${errors.fields[field]}` : undefined)}
          </div>
          {role(chosenRole, setChosenRole, errors.fields.role ? `Role: ${errors.fields.role}` : undefined)}
          <Button type="submit" loading={busy} variant="light">
            {button}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
