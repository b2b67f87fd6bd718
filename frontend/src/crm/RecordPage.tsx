// A contact's or a company's page: its fields, edited in place, and the records related to it.
import {
  Anchor,
  Avatar,
  Badge,
  Breadcrumbs,
  Button,
  Grid,
  Group,
  Paper,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { IconArrowsJoin } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { messageOf } from "../api/client";
import { keys } from "../api/keys";
import {
  COLLECTION,
  getRecord,
  listRecords,
  recordPath,
  titleOf,
  updateRecord,
  type BodyOf,
  type Company,
  type Contact,
  type Filter,
  type RecordOf,
} from "../api/records";
import { useMemberEmails, usePipelines } from "../api/workspaceData";
import { ErrorState } from "../shell/ErrorState";
import { usePermissions } from "../tables/tableData";
import { CustomFieldRows } from "./CustomFieldRows";
import { DeleteButton } from "./DeleteButton";
import { formatDateTime, formatMoney } from "./format";
import { FieldRow, InlineCompany, InlineEntries, InlineText } from "./InlineFields";
import { useRememberVisit } from "../home/recent";
import { MergeModal } from "./MergeModal";
import { ActivitiesList, RecordActions } from "./RecordActions";
import { CompanyPeople, ContactCompanies } from "./RolePanels";
import { Timeline } from "./Timeline";
import { useNames } from "./useNames";

type PageType = "contact" | "company";

function useSave<K extends PageType>(type: K, id: number) {
  const client = useQueryClient();
  return async (body: BodyOf[K]) => {
    const saved = await updateRecord(type, id, body);
    client.setQueryData(keys.record(type, id), saved);
    await client.invalidateQueries({ queryKey: keys.records(type), refetchType: "none" });
    return saved;
  };
}

export function RecordPage({ type }: { type: PageType }) {
  const id = Number(useParams().id);
  const record = useQuery({
    queryKey: keys.record(type, id),
    queryFn: () => getRecord(type, id),
    enabled: Number.isInteger(id),
  });
  const plural = type === "contact" ? "Contacts" : "Companies";
  const [merging, setMerging] = useState(false);
  const permissions = usePermissions();
  useRememberVisit(type, id, record.data ? titleOf(type, record.data) : undefined);

  if (record.isPending) {
    return (
      <Stack>
        <Skeleton height={40} width={320} />
        <Skeleton height={240} />
      </Stack>
    );
  }
  if (record.isError) {
    return <ErrorState error={record.error} onRetry={() => record.refetch()} />;
  }
  const title = titleOf(type, record.data);
  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to={`/${COLLECTION[type]}`} size="sm">
          {plural}
        </Anchor>
        <Text size="sm">{title}</Text>
      </Breadcrumbs>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="md" wrap="nowrap">
          <Avatar size={48} radius={type === "contact" ? "xl" : "md"} color="indigo">
            {title.slice(0, 2).toUpperCase()}
          </Avatar>
          <div>
            <Title order={1} size="h2">
              {title}
            </Title>
            <Text c="dimmed" size="sm">
              {type === "contact" ? ((record.data as Contact).title ?? "Contact") : ((record.data as Company).domain ?? "Company")}
            </Text>
          </div>
        </Group>
        <Group gap="xs">
          <Button variant="default" leftSection={<IconArrowsJoin size={16} />} onClick={() => setMerging(true)}>
            Merge
          </Button>
          {permissions.data?.can(type, "delete") !== false && <DeleteButton type={type} id={id} title={title} />}
        </Group>
      </Group>
      <MergeModal type={type} record={record.data} opened={merging} onClose={() => setMerging(false)} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p="lg" radius="md">
            <Title order={2} size="h5" mb="sm">
              Fields
            </Title>
            {type === "contact" ? (
              <ContactFields contact={record.data as RecordOf["contact"]} />
            ) : (
              <CompanyFields company={record.data as RecordOf["company"]} />
            )}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            {type === "company" && (
              <>
                <Related title="People" type="contact" filter={{ field: "company", op: "eq", value: id }} sort="last_name" />
                <CompanyPeople company={id} />
              </>
            )}
            {type === "contact" && (
              <ContactCompanies contact={id} editable={permissions.data?.can("contact", "update") ?? false} />
            )}
            <Related title="Deals" type="deal" filter={{ field: type, op: "eq", value: id }} sort="-amount" />
            <RecordActions type={type} id={id} />
            <Tabs defaultValue="timeline" keepMounted={false}>
              <Tabs.List mb="sm">
                <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
                <Tabs.Tab value="activities">Activities</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="timeline">
                <Timeline type={type} id={id} />
              </Tabs.Panel>
              <Tabs.Panel value="activities">
                <ActivitiesList type={type} id={id} />
              </Tabs.Panel>
            </Tabs>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Owner({ id }: { id: string | undefined }) {
  const emails = useMemberEmails();
  // Until the members are known, an owner is not yet "a former member".
  return <Text size="sm">{id ? (emails.size ? (emails.get(id) ?? "A former member") : "…") : ""}</Text>;
}

function Times({ record }: { record: RecordOf[PageType] }) {
  return (
    <>
      <FieldRow label="Created">
        <Text size="sm">{formatDateTime(record.created_at)}</Text>
      </FieldRow>
      <FieldRow label="Updated">
        <Text size="sm">{formatDateTime(record.updated_at)}</Text>
      </FieldRow>
    </>
  );
}

function ContactFields({ contact }: { contact: RecordOf["contact"] }) {
  const save = useSave("contact", contact.id);
  const companies = useNames("company", [[contact.company]]);
  return (
    <Stack gap={0}>
      <FieldRow label="First name" shown={"first_name" in contact}>
        <InlineText label="First name" field="first_name" errorLabel="The first name" value={contact.first_name}
          save={(value) => save({ first_name: value.trim() })} />
      </FieldRow>
      <FieldRow label="Last name" shown={"last_name" in contact}>
        <InlineText label="Last name" field="last_name" errorLabel="The last name" value={contact.last_name}
          save={(value) => save({ last_name: value.trim() })} />
      </FieldRow>
      <FieldRow label="Title" shown={"title" in contact}>
        <InlineText label="Title" field="title" errorLabel="The title" value={contact.title}
          save={(value) => save({ title: value.trim() || null })} />
      </FieldRow>
      <FieldRow label="Emails" shown={"emails" in contact}>
        <InlineEntries label="Email" field="emails" kind="email" entries={contact.emails}
          save={(entries) => save({ emails: entries })} />
      </FieldRow>
      <FieldRow label="Phones" shown={"phones" in contact}>
        <InlineEntries label="Phone" field="phones" kind="tel" entries={contact.phones}
          save={(entries) => save({ phones: entries })} />
      </FieldRow>
      <FieldRow label="Company" shown={"company" in contact}>
        <InlineCompany label="Company" field="company" value={contact.company}
          name={contact.company ? companies.get(contact.company) : undefined}
          save={(company) => save({ company })} />
      </FieldRow>
      <FieldRow label="Owner" shown={"owner_id" in contact}>
        <Owner id={contact.owner_id} />
      </FieldRow>
      <CustomFieldRows type="contact" values={contact.custom} save={(custom) => save({ custom })} readOnly={false} />
      <Times record={contact} />
    </Stack>
  );
}

function CompanyFields({ company }: { company: RecordOf["company"] }) {
  const save = useSave("company", company.id);
  const parents = useNames("company", [[company.parent]]);
  return (
    <Stack gap={0}>
      <FieldRow label="Name" shown={"name" in company}>
        <InlineText label="Name" field="name" errorLabel="The name" value={company.name}
          save={(value) => save({ name: value.trim() })} />
      </FieldRow>
      <FieldRow label="Domain" shown={"domain" in company}>
        <InlineText label="Domain" field="domain" errorLabel="The domain" value={company.domain}
          save={(value) => save({ domain: value.trim() || null })} />
      </FieldRow>
      <FieldRow label="Industry" shown={"industry" in company}>
        <InlineText label="Industry" field="industry" errorLabel="The industry" value={company.industry}
          save={(value) => save({ industry: value.trim() || null })} />
      </FieldRow>
      <FieldRow label="Parent company" shown={"parent" in company}>
        <InlineCompany label="Parent company" field="parent" value={company.parent}
          name={company.parent ? parents.get(company.parent) : undefined}
          save={(parent) => save({ parent })} />
      </FieldRow>
      <FieldRow label="Owner" shown={"owner_id" in company}>
        <Owner id={company.owner_id} />
      </FieldRow>
      <CustomFieldRows type="company" values={company.custom} save={(custom) => save({ custom })} readOnly={false} />
      <Times record={company} />
    </Stack>
  );
}

function Related<K extends "contact" | "deal">({
  title,
  type,
  filter,
  sort,
}: {
  title: string;
  type: K;
  filter: Filter;
  sort: string;
}) {
  const params = { filter, sort, limit: 20 };
  const related = useQuery({ queryKey: keys.list(type, params), queryFn: () => listRecords(type, params) });
  const pipelines = usePipelines();
  const stages = new Map(
    (pipelines.data ?? []).flatMap((pipeline) => pipeline.stages.map((stage) => [stage.id, stage.name] as const)),
  );
  const items = related.data?.items ?? [];
  return (
    <Paper withBorder p="lg" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5">
          {title}
        </Title>
        {related.data && (
          <Badge variant="light" color="gray">
            {related.data.next_cursor ? `${items.length}+` : items.length}
          </Badge>
        )}
      </Group>
      {related.isPending && <Skeleton height={60} />}
      {related.isError && <Text size="sm" c="red">{messageOf(related.error)}</Text>}
      {related.data && items.length === 0 && (
        <Text size="sm" c="dimmed">
          None yet.
        </Text>
      )}
      <Stack gap={6}>
        {items.map((item) =>
          type === "contact" ? (
            <Anchor key={item.id} component={Link} to={`/contacts/${item.id}`} size="sm">
              {titleOf("contact", item as RecordOf["contact"])}
            </Anchor>
          ) : (
            <Group key={item.id} justify="space-between" wrap="nowrap">
              <Anchor component={Link} to={recordPath("deal", item.id)} size="sm" truncate>
                {titleOf("deal", item as RecordOf["deal"])}
              </Anchor>
              <Group gap={6} wrap="nowrap">
                <Badge variant="outline" size="sm">
                  {stages.get((item as RecordOf["deal"]).stage ?? -1) ?? ""}
                </Badge>
                <Text size="sm" fw={500}>
                  {formatMoney((item as RecordOf["deal"]).amount, (item as RecordOf["deal"]).currency)}
                </Text>
              </Group>
            </Group>
          ),
        )}
      </Stack>
    </Paper>
  );
}
