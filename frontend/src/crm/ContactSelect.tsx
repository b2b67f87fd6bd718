// Pick a contact by typing part of their name or email (the list endpoint's `q=`), as a searchable select.
import { Select, Stack, Text, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { keys } from "../api/keys";
import { contactName, listRecords } from "../api/records";

interface Props extends Omit<SelectProps, "data" | "value" | "onChange"> {
  value: number | null;
  valueLabel?: string;
  onChange: (id: number | null) => void;
  /** Contacts not to offer (already on the deal). */
  exclude?: number[];
}

export function ContactSelect({ value, valueLabel, onChange, exclude = [], ...props }: Props) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 200);
  const params = { q: debounced, sort: "last_name", limit: 20, fields: ["id", "first_name", "last_name", "email"] };
  const found = useQuery({
    queryKey: keys.list("contact", params),
    queryFn: () => listRecords("contact", params),
    placeholderData: keepPreviousData,
  });
  const left = new Set(exclude);
  const contacts = (found.data?.items ?? []).filter((contact) => !left.has(contact.id));
  // The label is the name (what the search box then holds); the email tells namesakes apart in the list.
  const emails = new Map(contacts.map((contact) => [String(contact.id), contact.email ?? ""]));
  const options = contacts.map((contact) => ({ value: String(contact.id), label: contactName(contact) }));
  if (value !== null && !options.some((option) => option.value === String(value))) {
    options.unshift({ value: String(value), label: valueLabel ?? `Contact ${value}` });
  }
  return (
    <Select
      searchable
      clearable
      data={options}
      value={value === null ? null : String(value)}
      onChange={(chosen) => onChange(chosen ? Number(chosen) : null)}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={found.isFetching ? "Searching…" : "No contact matches"}
      renderOption={({ option }) => (
        <Stack gap={0}>
          <Text size="sm">{option.label}</Text>
          {emails.get(option.value) && option.label !== emails.get(option.value) && (
            <Text size="xs" c="dimmed">
              {emails.get(option.value)}
            </Text>
          )}
        </Stack>
      )}
      {...props}
    />
  );
}
