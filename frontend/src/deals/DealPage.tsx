// A deal's page: its key facts and stage (picked from its pipeline's stages) in the header, every field
// (custom ones too) edited in place, and tabs for its timeline, activities, notes and contacts with roles.
import {
  Anchor,
  Avatar,
  Badge,
  Breadcrumbs,
  Button,
  Grid,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { IconCurrencyDollar } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { messageOf, type Schemas } from "../api/client";
import { keys } from "../api/keys";
import { getRecord, recordPath, titleOf, updateRecord, type BodyOf, type RecordOf } from "../api/records";
import { useMemberEmails, useMembers, usePipelines } from "../api/workspaceData";
import { ContactSelect } from "../crm/ContactSelect";
import { CustomFieldRows } from "../crm/CustomFieldRows";
import { DeleteButton } from "../crm/DeleteButton";
import { formatDate, formatDateTime, formatMoney } from "../crm/format";
import { errorsFor, FieldRow, InlineCompany, InlineText, ReadOnlyValue } from "../crm/InlineFields";
import { NotesList } from "../crm/NotesList";
import { ActivitiesList, RecordActions } from "../crm/RecordActions";
import { DealContacts } from "../crm/RolePanels";
import { Timeline } from "../crm/Timeline";
import { useNames } from "../crm/useNames";
import { useRememberVisit } from "../home/recent";
import { ErrorState } from "../shell/ErrorState";
import { usePermissions } from "../tables/tableData";
import { firstOpenStage, stageChoices, stageColor, typedAmount, typedPercent } from "./dealFields";

type DealRecord = RecordOf["deal"];
type Save = (body: BodyOf["deal"]) => Promise<DealRecord>;

function useSave(id: number): Save {
  const client = useQueryClient();
  return async (body) => {
    const saved = await updateRecord("deal", id, body);
    client.setQueryData(keys.record("deal", id), saved);
    // Lists and the kanban refetch when shown again; the timeline shows the change now.
    await client.invalidateQueries({ queryKey: keys.records("deal"), refetchType: "none" });
    await client.invalidateQueries({ queryKey: [...keys.records("deal"), "timeline", id] });
    return saved;
  };
}

export function DealPage() {
  const id = Number(useParams().id);
  const deal = useQuery({ queryKey: keys.record("deal", id), queryFn: () => getRecord("deal", id), enabled: Number.isInteger(id) });
  const permissions = usePermissions();
  const save = useSave(id);
  useRememberVisit("deal", id, deal.data ? titleOf("deal", deal.data) : undefined);

  if (deal.isPending) {
    return (
      <Stack>
        <Skeleton height={40} width={320} />
        <Skeleton height={90} />
        <Skeleton height={240} />
      </Stack>
    );
  }
  if (deal.isError) {
    return <ErrorState error={deal.error} onRetry={() => deal.refetch()} />;
  }
  const data = deal.data;
  const title = titleOf("deal", data);
  const canUpdate = permissions.data?.can("deal", "update") ?? false;
  const readOnly = permissions.data?.readOnly("deal") ?? new Set<string>();
  const editable = (field: string) => canUpdate && !readOnly.has(field);

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to={data.pipeline ? `/deals?pipeline=${data.pipeline}` : "/deals"} size="sm">
          Deals
        </Anchor>
        <Text size="sm">{title}</Text>
      </Breadcrumbs>
      <Group justify="space-between" wrap="wrap" gap="sm" align="flex-start">
        <Group gap="md" wrap="nowrap">
          <Avatar size={48} radius="md" color="teal" aria-hidden>
            <IconCurrencyDollar size={26} />
          </Avatar>
          <div>
            <Title order={1} size="h2">
              {title}
            </Title>
            <Text c="dimmed" size="sm">
              Deal
            </Text>
          </div>
        </Group>
        <Group gap="xs">
          <RecordActions type="deal" id={id} />
          {permissions.data?.can("deal", "delete") && <DeleteButton type="deal" id={id} title={title} />}
        </Group>
      </Group>
      <KeyFacts deal={data} save={save} stageEditable={editable("stage")} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="lg" radius="md">
            <Title order={2} size="h5" mb="sm">
              Fields
            </Title>
            <DealFields deal={data} save={save} editable={editable} />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Tabs defaultValue="timeline" keepMounted={false}>
            <Tabs.List mb="sm">
              <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
              <Tabs.Tab value="activities">Activities</Tabs.Tab>
              <Tabs.Tab value="notes">Notes</Tabs.Tab>
              <Tabs.Tab value="contacts">Contacts</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="timeline">
              <Timeline type="deal" id={id} />
            </Tabs.Panel>
            <Tabs.Panel value="activities">
              <ActivitiesList type="deal" id={id} />
            </Tabs.Panel>
            <Tabs.Panel value="notes">
              <NotesList type="deal" id={id} />
            </Tabs.Panel>
            <Tabs.Panel value="contacts">
              <DealContacts deal={id} editable={canUpdate} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2} style={{ minWidth: 0 }}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}

/** The header's facts: amount, stage (with the picker), expected close, probability, owner, company. */
function KeyFacts({ deal, save, stageEditable }: { deal: DealRecord; save: Save; stageEditable: boolean }) {
  const pipelines = usePipelines();
  const emails = useMemberEmails();
  const companies = useNames("company", [[deal.company]]);
  const pipeline = pipelines.data?.find((item) => item.id === deal.pipeline);
  const stage = pipeline?.stages.find((item) => item.id === deal.stage);
  return (
    <Paper withBorder p="md" radius="md" data-testid="deal-facts">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md" verticalSpacing="sm">
        <Fact label="Amount">
          <Text fw={700} size="lg">
            {deal.amount !== undefined ? formatMoney(deal.amount, deal.currency) || "—" : "—"}
          </Text>
        </Fact>
        <Fact label="Stage">
          {deal.stage === undefined ? (
            <Text size="sm">—</Text>
          ) : stageEditable ? (
            <StagePicker deal={deal} pipeline={pipeline} save={save} />
          ) : (
            <Badge variant="light" color={stageColor(stage?.kind)}>
              {stage?.name ?? "…"}
            </Badge>
          )}
        </Fact>
        <Fact label="Expected close">
          <Text size="sm">{deal.expected_close ? formatDate(deal.expected_close) : "—"}</Text>
        </Fact>
        <Fact label="Probability">
          <Text size="sm">{deal.probability !== undefined ? `${deal.probability}%` : "—"}</Text>
        </Fact>
        <Fact label="Owner">
          <Text size="sm" truncate>
            {deal.owner_id ? (emails.size ? (emails.get(deal.owner_id) ?? "A former member") : "…") : "—"}
          </Text>
        </Fact>
        <Fact label="Company">
          {deal.company ? (
            <Anchor component={Link} to={recordPath("company", deal.company)} size="sm" truncate>
              {companies.get(deal.company) ?? "…"}
            </Anchor>
          ) : (
            <Text size="sm">—</Text>
          )}
        </Fact>
      </SimpleGrid>
    </Paper>
  );
}

function StagePicker({ deal, pipeline, save }: { deal: DealRecord; pipeline: Schemas["PipelineOut"] | undefined; save: Save }) {
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  return (
    <Select
      aria-label="Stage"
      size="xs"
      maw={220}
      data={stageChoices(pipeline)}
      value={deal.stage !== undefined ? String(deal.stage) : null}
      allowDeselect={false}
      disabled={saving || !pipeline}
      error={error}
      onChange={(chosen) => {
        if (!chosen || Number(chosen) === deal.stage) return;
        setSaving(true);
        save({ stage: Number(chosen) })
          .then(() => setError(undefined))
          .catch((caught: unknown) => setError(messageOf(caught)))
          .finally(() => setSaving(false));
      }}
    />
  );
}

function DealFields({ deal, save, editable }: { deal: DealRecord; save: Save; editable: (field: string) => boolean }) {
  const contacts = useNames("contact", [[deal.contact]]);
  const companies = useNames("company", [[deal.company]]);
  const text = (
    field: "name" | "currency",
    label: string,
    toBody: (value: string) => BodyOf["deal"],
  ) => (
    <FieldRow label={label} shown={field in deal}>
      <InlineText label={label} field={field} errorLabel={`The ${label.toLowerCase()}`} value={deal[field]}
        readOnly={!editable(field)} save={(value) => save(toBody(value))} />
    </FieldRow>
  );
  return (
    <Stack gap={0}>
      {text("name", "Name", (value) => ({ name: value.trim() }))}
      <FieldRow label="Amount" shown={"amount" in deal}>
        <InlineText label="Amount" field="amount" errorLabel="The amount" type="text" value={deal.amount}
          display={formatMoney(deal.amount, deal.currency)} readOnly={!editable("amount")}
          save={(value) => save({ amount: typedAmount(value) })} />
      </FieldRow>
      {text("currency", "Currency", (value) => ({ currency: value.trim().toUpperCase() }))}
      <FieldRow label="Pipeline" shown={"pipeline" in deal}>
        <PipelinePicker deal={deal} save={save} editable={editable("pipeline") && editable("stage")} />
      </FieldRow>
      <FieldRow label="Probability" shown={"probability" in deal}>
        <InlineText label="Probability" field="probability" errorLabel="The probability" type="number"
          value={deal.probability === undefined ? "" : String(deal.probability)}
          display={deal.probability === undefined ? undefined : `${deal.probability}%`}
          readOnly={!editable("probability")} save={(value) => save({ probability: typedPercent(value) })} />
      </FieldRow>
      <FieldRow label="Expected close" shown={"expected_close" in deal}>
        <InlineText label="Expected close" field="expected_close" errorLabel="The expected close" type="date"
          value={deal.expected_close} display={formatDate(deal.expected_close)} readOnly={!editable("expected_close")}
          save={(value) => save({ expected_close: value.trim() || null })} />
      </FieldRow>
      <FieldRow label="Company" shown={"company" in deal}>
        <InlineCompany label="Company" field="company" value={deal.company}
          name={deal.company ? companies.get(deal.company) : undefined} readOnly={!editable("company")}
          save={(company) => save({ company })} />
      </FieldRow>
      <FieldRow label="Primary contact" shown={"contact" in deal}>
        <InlineContact value={deal.contact} name={deal.contact ? contacts.get(deal.contact) : undefined}
          readOnly={!editable("contact")} save={(contact) => save({ contact })} />
      </FieldRow>
      <FieldRow label="Owner" shown={"owner_id" in deal}>
        <OwnerPicker deal={deal} save={save} editable={editable("owner_id")} />
      </FieldRow>
      <CustomFieldRows type="deal" values={deal.custom} readOnly={!editable("custom")}
        save={(custom) => save({ custom })} />
      <FieldRow label="Stage changed">
        <Text size="sm">{formatDateTime(deal.stage_changed_at)}</Text>
      </FieldRow>
      <FieldRow label="Created">
        <Text size="sm">{formatDateTime(deal.created_at)}</Text>
      </FieldRow>
      <FieldRow label="Updated">
        <Text size="sm">{formatDateTime(deal.updated_at)}</Text>
      </FieldRow>
    </Stack>
  );
}

function PipelinePicker({ deal, save, editable }: { deal: DealRecord; save: Save; editable: boolean }) {
  const pipelines = usePipelines();
  const [error, setError] = useState<string | undefined>();
  const name = pipelines.data?.find((item) => item.id === deal.pipeline)?.name;
  if (!editable || (pipelines.data?.length ?? 0) < 2) {
    return (
      <ReadOnlyValue empty={!deal.pipeline}>
        <Text size="sm">{name ?? "…"}</Text>
      </ReadOnlyValue>
    );
  }
  return (
    <Select
      aria-label="Pipeline"
      size="xs"
      maw={240}
      data={(pipelines.data ?? []).map((item) => ({ value: String(item.id), label: item.name }))}
      value={deal.pipeline ? String(deal.pipeline) : null}
      allowDeselect={false}
      description="Moving it starts the deal in the first open stage."
      error={error}
      onChange={(chosen) => {
        const target = pipelines.data?.find((item) => String(item.id) === chosen);
        const stage = firstOpenStage(target);
        if (!target || target.id === deal.pipeline || !stage) return;
        save({ pipeline: target.id, stage: stage.id })
          .then(() => setError(undefined))
          .catch((caught: unknown) => {
            const found = errorsFor(caught, "pipeline");
            setError(found.field ? `The pipeline ${found.field}` : found.detail);
          });
      }}
    />
  );
}

function OwnerPicker({ deal, save, editable }: { deal: DealRecord; save: Save; editable: boolean }) {
  const members = useMembers();
  const [error, setError] = useState<string | undefined>();
  const choices = (members.data?.items ?? []).filter((member) => member.active || member.user_id === deal.owner_id)
    .map((member) => ({ value: member.user_id, label: member.email }));
  if (!editable) {
    return (
      <ReadOnlyValue empty={!deal.owner_id}>
        <Text size="sm">{choices.find((choice) => choice.value === deal.owner_id)?.label ?? (members.data ? "A former member" : "…")}</Text>
      </ReadOnlyValue>
    );
  }
  return (
    <Select
      aria-label="Owner"
      size="xs"
      maw={260}
      searchable
      data={choices}
      value={deal.owner_id ?? null}
      allowDeselect={false}
      error={error}
      onChange={(chosen) => {
        if (!chosen || chosen === deal.owner_id) return;
        save({ owner_id: chosen })
          .then(() => setError(undefined))
          .catch((caught: unknown) => {
            const found = errorsFor(caught, "owner_id");
            setError(found.field ? `The owner ${found.field}` : found.detail);
          });
      }}
    />
  );
}

function InlineContact({
  value,
  name,
  save,
  readOnly,
}: {
  value: number | null | undefined;
  name: string | undefined;
  save: (id: number | null) => Promise<unknown>;
  readOnly: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!editing || readOnly) {
    return (
      <Group gap="xs" wrap="nowrap">
        {value ? (
          <Anchor component={Link} to={recordPath("contact", value)} size="sm">
            {name ?? "…"}
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed">
            Empty
          </Text>
        )}
        {!readOnly && (
          <Button size="compact-xs" variant="subtle" onClick={() => setEditing(true)} aria-label="Edit Primary contact">
            Change
          </Button>
        )}
      </Group>
    );
  }
  return (
    <ContactSelect
      aria-label="Primary contact"
      size="sm"
      autoFocus
      defaultDropdownOpened
      value={value ?? null}
      valueLabel={name}
      error={error}
      onDropdownClose={() => setEditing(false)}
      onChange={(id) => {
        save(id)
          .then(() => {
            setEditing(false);
            setError(undefined);
          })
          .catch((caught: unknown) => {
            const found = errorsFor(caught, "contact");
            setError(found.field ? `The contact ${found.field}` : found.detail);
          });
      }}
    />
  );
}
