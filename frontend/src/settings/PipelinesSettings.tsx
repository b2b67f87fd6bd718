// Pipelines and their stages: rename, add, remove and reorder stages, set probabilities and won/lost; a
// save replaces the pipeline's stages (an existing stage keeps its id, so its deals stay on it).
import {
  ActionIcon,
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, messageOf, unwrap, type Schemas } from "../api/client";
import { keys } from "../api/keys";
import { usePipelines } from "../api/workspaceData";
import { formErrors, NO_ERRORS, type FormErrors } from "./errors";
import { moved } from "./stages";

type Stage = Schemas["StageIn"];

const KINDS = [
  { value: "open", label: "Open" },
  { value: "won", label: "Won" },
  { value: "lost", label: "Lost" },
];

export function PipelinesSettings() {
  const pipelines = usePipelines();
  const [adding, setAdding] = useState(false);
  if (pipelines.isPending) return <Skeleton height={200} />;
  if (pipelines.isError) return <Text c="red">{messageOf(pipelines.error)}</Text>;
  return (
    <Stack gap="md">
      {pipelines.data.map((pipeline) => (
        <PipelineEditor
          key={`${pipeline.id}-${pipeline.stages.map((stage) => stage.id).join("-")}`}
          id={pipeline.id}
          initialName={pipeline.name}
          initialStages={pipeline.stages.map(({ id, name, probability, kind }) => ({ id, name, probability, kind }))}
        />
      ))}
      {pipelines.data.length === 0 && !adding && (
        <Text size="sm" c="dimmed">
          No pipeline yet.
        </Text>
      )}
      {adding ? (
        <PipelineEditor
          id={null}
          initialName=""
          initialStages={[
            { name: "New", probability: 10, kind: "open" },
            { name: "Won", probability: 100, kind: "won" },
            { name: "Lost", probability: 0, kind: "lost" },
          ]}
          onDone={() => setAdding(false)}
        />
      ) : (
        <Button variant="light" leftSection={<IconPlus size={16} />} w="fit-content" onClick={() => setAdding(true)}>
          New pipeline
        </Button>
      )}
    </Stack>
  );
}

function PipelineEditor({
  id,
  initialName,
  initialStages,
  onDone,
}: {
  id: number | null;
  initialName: string;
  initialStages: Stage[];
  onDone?: () => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState(initialName);
  const [stages, setStages] = useState<Stage[]>(initialStages);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const changed = name !== initialName || JSON.stringify(stages) !== JSON.stringify(initialStages);
  const change = (index: number, patch: Partial<Stage>) =>
    setStages((current) => current.map((stage, at) => (at === index ? { ...stage, ...patch } : stage)));

  const save = async () => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const body = { name: name.trim(), stages: stages.map((stage) => ({ ...stage, name: stage.name.trim() })) };
      if (id === null) {
        await unwrap(api.POST("/api/v1/pipelines", { body }));
      } else {
        await unwrap(api.PATCH("/api/v1/pipelines/{pipeline_id}", { params: { path: { pipeline_id: id } }, body }));
      }
      await client.invalidateQueries({ queryKey: keys.pipelines });
      await client.invalidateQueries({ queryKey: keys.records("deal") });
      notifications.show({ color: "teal", message: `Saved the pipeline “${body.name}”.` });
      onDone?.();
    } catch (error) {
      const found = formErrors(error, ["name"]);
      // Stage problems come as stages.<index>.<field>: they show on that stage.
      setErrors({ fields: found.fields, form: Object.keys(found.fields).some((field) => field.startsWith("stages.")) ? null : found.form });
    } finally {
      setBusy(false);
    }
  };
  const stageError = (index: number, field: string) => errors.fields[`stages.${index}.${field}`];

  return (
    <Paper withBorder p="lg" radius="md" aria-label={`Pipeline ${initialName || "new"}`} component="section">
      <Stack gap="sm">
        {errors.form && (
          <Alert color="red" role="alert">
            {errors.form}
          </Alert>
        )}
        <Title order={2} size="h5">
          {id === null ? "New pipeline" : initialName}
        </Title>
        <TextInput label="Pipeline name" value={name} maw={360} onChange={(event) => setName(event.currentTarget.value)} error={errors.fields.name ? `The name ${errors.fields.name}` : undefined} />
        <Text size="sm" fw={500}>
          Stages, in order
        </Text>
        {stages.map((stage, index) => (
          <Group key={stage.id ?? `new-${index}`} gap="xs" align="flex-start" wrap="wrap" data-testid="stage">
            <TextInput aria-label={`Stage ${index + 1} name`} value={stage.name} w={200} onChange={(event) => change(index, { name: event.currentTarget.value })}
              error={stageError(index, "name")} />
            <NumberInput aria-label={`Stage ${index + 1} probability`} value={stage.probability} min={0} max={100} suffix="%" w={100}
              onChange={(value) => change(index, { probability: Number(value) || 0 })} error={stageError(index, "probability")} />
            <Select aria-label={`Stage ${index + 1} outcome`} data={KINDS} value={stage.kind} w={110} allowDeselect={false}
              onChange={(value) => change(index, { kind: value ?? "open" })} error={stageError(index, "kind")} />
            <ActionIcon variant="subtle" color="gray" mt={4} aria-label={`Move stage ${index + 1} up`} disabled={index === 0} onClick={() => setStages((current) => moved(current, index, -1))}>
              <IconArrowUp size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="gray" mt={4} aria-label={`Move stage ${index + 1} down`} disabled={index === stages.length - 1}
              onClick={() => setStages((current) => moved(current, index, 1))}>
              <IconArrowDown size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="red" mt={4} aria-label={`Remove stage ${index + 1}`} disabled={stages.length === 1}
              onClick={() => setStages((current) => current.filter((_, at) => at !== index))}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        {errors.fields.stages && <Text size="xs" c="red">Stages: {errors.fields.stages}</Text>}
        <Group justify="space-between">
          <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />}
            onClick={() => setStages((current) => [...current, { name: "", probability: 50, kind: "open" }])}>
            Add stage
          </Button>
          <Group gap="xs">
            {onDone && (
              <Button variant="default" onClick={onDone}>
                Cancel
              </Button>
            )}
            <Button onClick={() => void save()} loading={busy} disabled={!changed && id !== null}>
              {id === null ? "Create pipeline" : "Save pipeline"}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
