// Choose the table's columns, custom fields included; shown in the catalogue's order.
import { Button, Checkbox, Divider, Popover, ScrollArea, Stack, Text } from "@mantine/core";
import { IconColumns } from "@tabler/icons-react";
import { useEffect, useState } from "react";

export interface ColumnOption {
  key: string;
  label: string;
  custom?: boolean;
}

export function ColumnChooser({
  options,
  chosen,
  defaults,
  onChange,
}: {
  options: ColumnOption[];
  chosen: string[];
  defaults: string[];
  onChange: (columns: string[]) => void;
}) {
  // The columns live in the address; a navigation renders later, the box answers the click at once.
  const [shown, setShown] = useState(chosen);
  const chosenKey = chosen.join(",");
  useEffect(() => setShown(chosenKey.split(",")), [chosenKey]);
  const selected = new Set(shown);
  const toggle = (key: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(key);
    else next.delete(key);
    // Keep the catalogue's order; at least one column stays.
    const ordered = options.map((option) => option.key).filter((name) => next.has(name));
    if (ordered.length) {
      setShown(ordered);
      onChange(ordered);
    }
  };
  const builtIn = options.filter((option) => !option.custom);
  const custom = options.filter((option) => option.custom);
  return (
    <Popover position="bottom-end" width={260} shadow="md" trapFocus>
      <Popover.Target>
        <Button variant="default" leftSection={<IconColumns size={16} />}>
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <ScrollArea.Autosize mah={360}>
          <Stack gap={8} role="group" aria-label="Visible columns">
            {builtIn.map((option) => (
              <Checkbox
                key={option.key}
                label={option.label}
                checked={selected.has(option.key)}
                onChange={(event) => toggle(option.key, event.currentTarget.checked)}
              />
            ))}
            {custom.length > 0 && (
              <>
                <Divider label="Custom fields" labelPosition="left" />
                {custom.map((option) => (
                  <Checkbox
                    key={option.key}
                    label={option.label}
                    checked={selected.has(option.key)}
                    onChange={(event) => toggle(option.key, event.currentTarget.checked)}
                  />
                ))}
              </>
            )}
          </Stack>
        </ScrollArea.Autosize>
        <Button variant="subtle" size="xs" mt="sm" onClick={() => onChange(defaults)}>
          Reset to default
        </Button>
        <Text size="xs" c="dimmed" mt={4}>
          Saved with the view.
        </Text>
      </Popover.Dropdown>
    </Popover>
  );
}
