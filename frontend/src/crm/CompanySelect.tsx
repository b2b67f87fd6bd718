// Pick a company by typing part of its name (the list endpoint's `q=`), as a searchable select.
import { Select, type SelectProps } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { keys } from "../api/keys";
import { listRecords } from "../api/records";

interface Props extends Omit<SelectProps, "data" | "value" | "onChange"> {
  value: number | null;
  valueLabel?: string;
  onChange: (id: number | null) => void;
}

export function CompanySelect({ value, valueLabel, onChange, ...props }: Props) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 200);
  const params = { q: debounced, sort: "name", limit: 20, fields: ["id", "name"] };
  const found = useQuery({
    queryKey: keys.list("company", params),
    queryFn: () => listRecords("company", params),
    placeholderData: keepPreviousData,
  });
  const options = (found.data?.items ?? []).map((company) => ({
    value: String(company.id),
    label: company.name ?? `Company ${company.id}`,
  }));
  if (value !== null && !options.some((option) => option.value === String(value))) {
    options.unshift({ value: String(value), label: valueLabel ?? `Company ${value}` });
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
      nothingFoundMessage={found.isFetching ? "Searching…" : "No company matches"}
      {...props}
    />
  );
}
