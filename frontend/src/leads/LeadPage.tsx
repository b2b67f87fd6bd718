// A lead's page: its fields (edited in place), status and score, its timeline and activities, and
// "Convert", which makes (or reuses) a contact and a company and optionally opens a deal, then shows
// where the lead went.
import {
  Alert,
  Anchor,
  Avatar,
  Badge,
  Breadcrumbs,
  Button,
  Checkbox,
  Grid,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  Skeleton,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowsJoin2 } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, ApiError, messageOf, unwrapAs } from "../api/client";
import { keys } from "../api/keys";
import { getRecord, recordPath, titleOf, updateRecord, type BodyOf, type Lead } from "../api/records";
import { useMemberEmails, usePipelines } from "../api/workspaceData";
import { formatDateTime } from "../crm/format";
import { FieldRow, InlineText } from "../crm/InlineFields";
import { ActivitiesList, RecordActions } from "../crm/RecordActions";
import { Timeline } from "../crm/Timeline";
import { useNames } from "../crm/useNames";
import { useRememberVisit } from "../home/recent";
import { ErrorState } from "../shell/ErrorState";
import { LEAD_STATUSES, LeadStatus } from "../tables/columns";
import { usePermissions } from "../tables/tableData";

interface Conversion {
  lead: Lead;
  contact_id: number;
  company_id: number | null;
  deal_id: number | null;
  reused_contact: boolean;
  reused_company: boolean;
}

export function LeadPage() {
  const id = Number(useParams().id);
  const client = useQueryClient();
  const lead = useQuery({ queryKey: keys.record("lead", id), queryFn: () => getRecord("lead", id), enabled: Number.isInteger(id) });
  const permissions = usePermissions();
  const [converting, setConverting] = useState(false);
  useRememberVisit("lead", id, lead.data ? titleOf("lead", lead.data) : undefined);

  if (lead.isPending) {
    return (
      <Stack>
        <Skeleton height={40} width={320} />
        <Skeleton height={240} />
      </Stack>
    );
  }
  if (lead.isError) {
    return <ErrorState error={lead.error} onRetry={() => lead.refetch()} />;
  }
  const data = lead.data;
  const title = titleOf("lead", data);
  const save = async (body: BodyOf["lead"]) => {
    const saved = await updateRecord("lead", id, body);
    client.setQueryData(keys.record("lead", id), saved);
    await client.invalidateQueries({ queryKey: keys.records("lead"), refetchType: "none" });
    return saved;
  };
  const converted = data.status === "converted";
  const mayConvert = (permissions.data?.can("lead", "update") ?? false) && (permissions.data?.can("contact", "create") ?? false);

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to="/leads" size="sm">
          Leads
        </Anchor>
        <Text size="sm">{title}</Text>
      </Breadcrumbs>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="md" wrap="nowrap">
          <Avatar size={48} radius="xl" color="grape">
            {title.slice(0, 2).toUpperCase()}
          </Avatar>
          <div>
            <Title order={1} size="h2">
              {title}
            </Title>
            <Group gap={6}>
              <LeadStatus status={data.status} />
              {data.score !== undefined && (
                <Badge size="sm" variant="outline" color="gray" aria-label={`Score ${data.score}`}>
                  Score {data.score}
                </Badge>
              )}
              {data.company_name && (
                <Text size="sm" c="dimmed">
                  {data.company_name}
                </Text>
              )}
            </Group>
          </div>
        </Group>
        {!converted && mayConvert && (
          <Button leftSection={<IconArrowsJoin2 size={16} />} onClick={() => setConverting(true)}>
            Convert
          </Button>
        )}
      </Group>
      {converted && <ConvertedTo lead={data} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="lg" radius="md">
            <Title order={2} size="h5" mb="sm">
              Fields
            </Title>
            <LeadFields lead={data} save={save} />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="sm">
            <RecordActions type="lead" id={id} />
            <Tabs defaultValue="timeline" keepMounted={false}>
              <Tabs.List mb="sm">
                <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
                <Tabs.Tab value="activities">Activities</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="timeline">
                <Timeline type="lead" id={id} />
              </Tabs.Panel>
              <Tabs.Panel value="activities">
                <ActivitiesList type="lead" id={id} />
              </Tabs.Panel>
            </Tabs>
          </Stack>
        </Grid.Col>
      </Grid>
      <ConvertModal lead={data} opened={converting} onClose={() => setConverting(false)} />
    </Stack>
  );
}

function LeadFields({ lead, save }: { lead: Lead; save: (body: BodyOf["lead"]) => Promise<unknown> }) {
  const emails = useMemberEmails();
  const [statusError, setStatusError] = useState<string | undefined>();
  const text = (field: "first_name" | "last_name" | "email" | "phone" | "company_name" | "title" | "source", label: string, nullable = true) => (
    <FieldRow label={label}>
      <InlineText
        label={label}
        field={field}
        errorLabel={`The ${label.toLowerCase()}`}
        value={lead[field] as string | null | undefined}
        save={(value) => save({ [field]: value.trim() || (nullable ? null : "") })}
      />
    </FieldRow>
  );
  return (
    <Stack gap={0}>
      {text("first_name", "First name", false)}
      {text("last_name", "Last name", false)}
      {text("email", "Email")}
      {text("phone", "Phone")}
      {text("company_name", "Company")}
      {text("title", "Title")}
      {text("source", "Source", false)}
      <FieldRow label="Status">
        {lead.status === "converted" ? (
          <LeadStatus status="converted" />
        ) : (
          <Select
            aria-label="Status"
            size="xs"
            w={180}
            data={LEAD_STATUSES.filter((choice) => choice.value !== "converted")}
            value={lead.status ?? null}
            allowDeselect={false}
            error={statusError}
            onChange={(status) => {
              if (status) {
                save({ status })
                  .then(() => setStatusError(undefined))
                  .catch((error: unknown) => setStatusError(messageOf(error)));
              }
            }}
          />
        )}
      </FieldRow>
      <FieldRow label="Score">
        <Text size="sm">{lead.score ?? ""}</Text>
        <Text size="xs" c="dimmed">
          From the workspace's scoring rules.
        </Text>
      </FieldRow>
      <FieldRow label="Owner">
        <Text size="sm">{lead.owner_id ? (emails.size ? (emails.get(lead.owner_id) ?? "A former member") : "…") : ""}</Text>
      </FieldRow>
      <FieldRow label="Created">
        <Text size="sm">{formatDateTime(lead.created_at)}</Text>
      </FieldRow>
    </Stack>
  );
}

function ConvertedTo({ lead }: { lead: Lead }) {
  const contacts = useNames("contact", [[lead.converted_contact]]);
  const companies = useNames("company", [[lead.converted_company]]);
  const deals = useNames("deal", [[lead.converted_deal]]);
  return (
    <Alert color="grape" title={`Converted ${formatDateTime(lead.converted_at)}`} data-testid="converted-to">
      <Group gap="lg">
        {lead.converted_contact && (
          <Text size="sm">
            Contact:{" "}
            <Anchor component={Link} to={`/contacts/${lead.converted_contact}`}>
              {contacts.get(lead.converted_contact) ?? "…"}
            </Anchor>
          </Text>
        )}
        {lead.converted_company && (
          <Text size="sm">
            Company:{" "}
            <Anchor component={Link} to={`/companies/${lead.converted_company}`}>
              {companies.get(lead.converted_company) ?? "…"}
            </Anchor>
          </Text>
        )}
        {lead.converted_deal && (
          <Text size="sm">
            Deal:{" "}
            <Anchor component={Link} to={recordPath("deal", lead.converted_deal)}>
              {deals.get(lead.converted_deal) ?? "…"}
            </Anchor>
          </Text>
        )}
      </Group>
    </Alert>
  );
}

function ConvertModal({ lead, opened, onClose }: { lead: Lead; opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const pipelines = usePipelines();
  const [withDeal, setWithDeal] = useState(false);
  const [name, setName] = useState(`${lead.company_name || titleOf("lead", lead)} deal`);
  const [pipeline, setPipeline] = useState<string | null>(null);
  const [amount, setAmount] = useState<string | number>("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Conversion | null>(null);
  const chosenPipeline = pipeline ?? (pipelines.data?.[0] ? String(pipelines.data[0].id) : null);

  const convert = async () => {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const deal = withDeal
        ? { name: name.trim(), pipeline: Number(chosenPipeline), ...(amount !== "" ? { amount: String(amount) } : {}) }
        : null;
      const converted = await unwrapAs<Conversion>(
        api.POST("/api/v1/leads/{lead_id}/convert", { params: { path: { lead_id: lead.id } }, body: { deal } }),
      );
      client.setQueryData(keys.record("lead", lead.id), converted.lead);
      await Promise.all(
        (["lead", "contact", "company", "deal"] as const).map((type) => client.invalidateQueries({ queryKey: keys.records(type) })),
      );
      setResult(converted);
      notifications.show({ color: "teal", message: `${titleOf("lead", lead)} was converted.` });
    } catch (error) {
      const found = error instanceof ApiError ? error.fieldErrors() : {};
      // The deal's fields come back under their own names or under deal.<name>.
      const named = Object.fromEntries(Object.entries(found).map(([field, message]) => [field.replace(/^deal\./, ""), message]));
      setErrors(named);
      if (!["name", "pipeline", "amount"].some((field) => field in named)) {
        setFormError(messageOf(error));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Convert ${titleOf("lead", lead)}`} size="lg">
      {result ? (
        <Stack gap="sm" data-testid="conversion-result">
          <Text size="sm">The lead is now:</Text>
          <Text size="sm">
            Contact:{" "}
            <Anchor component={Link} to={`/contacts/${result.contact_id}`} onClick={onClose}>
              {titleOf("lead", lead)}
            </Anchor>{" "}
            <Badge size="xs" variant="light">
              {result.reused_contact ? "existing contact (same email)" : "new"}
            </Badge>
          </Text>
          {result.company_id && (
            <Text size="sm">
              Company:{" "}
              <Anchor component={Link} to={`/companies/${result.company_id}`} onClick={onClose}>
                {lead.company_name ?? "the company"}
              </Anchor>{" "}
              <Badge size="xs" variant="light">
                {result.reused_company ? "existing company" : "new"}
              </Badge>
            </Text>
          )}
          {result.deal_id && (
            <Text size="sm">
              Deal:{" "}
              <Anchor component={Link} to={recordPath("deal", result.deal_id)} onClick={onClose}>
                {name}
              </Anchor>
            </Text>
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void convert();
          }}
        >
          <Stack gap="sm">
            {formError && (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            )}
            <Text size="sm">
              Makes a contact (or finds the one with this email) and a company (or finds the one with this name or email
              domain) from this lead.
            </Text>
            <Checkbox label="Also open a deal" checked={withDeal} onChange={(event) => setWithDeal(event.currentTarget.checked)} />
            {withDeal && (
              <>
                <TextInput label="Deal name" value={name}
                  onChange={(event) => {
                    setName(event.currentTarget.value);
                    setErrors(({ name: _dropped, ...rest }) => rest);
                  }}
                  error={errors.name ? `The deal name ${errors.name}` : undefined} />
                <Group grow align="flex-start">
                  <Select
                    label="Pipeline"
                    data={(pipelines.data ?? []).map((item) => ({ value: String(item.id), label: item.name }))}
                    value={chosenPipeline}
                    onChange={setPipeline}
                    allowDeselect={false}
                    error={errors.pipeline ? `The pipeline ${errors.pipeline}` : pipelines.data?.length === 0 ? "This workspace has no pipeline yet." : undefined}
                  />
                  <NumberInput label="Amount" min={0} value={amount} onChange={setAmount} thousandSeparator=","
                    error={errors.amount ? `The amount ${errors.amount}` : undefined} />
                </Group>
              </>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Convert
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
