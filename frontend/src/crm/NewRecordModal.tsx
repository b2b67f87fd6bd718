// Create a contact or a company; the API's field errors appear on the fields.
import { Alert, Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { keys } from "../api/keys";
import { COLLECTION, createRecord, titleOf, type BodyOf } from "../api/records";
import { useApiForm } from "../auth/useForm";
import { CompanySelect } from "./CompanySelect";

export function NewContactModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [company, setCompany] = useState<number | null>(null);
  const form = useApiForm(
    { first_name: "", last_name: "", email: "", title: "" },
    { first_name: "The first name", last_name: "The last name", email: "The email", title: "The title" },
  );
  const errors = form.fieldErrors;
  return (
    <Modal opened={opened} onClose={onClose} title="New contact" size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void form.submit(async (values) => {
            const body: BodyOf["contact"] = {
              first_name: values.first_name.trim(),
              last_name: values.last_name.trim(),
              title: values.title.trim() || null,
              company,
            };
            if (values.email.trim()) {
              body.emails = [{ value: values.email.trim(), primary: true }];
            }
            try {
              const created = await createRecord("contact", body);
              await client.invalidateQueries({ queryKey: keys.records("contact") });
              notifications.show({
                color: "teal",
                title: "Contact created",
                message: <Link to={`/${COLLECTION.contact}/${created.id}`}>{titleOf("contact", created)}</Link>,
              });
              form.setValues({ first_name: "", last_name: "", email: "", title: "" });
              setCompany(null);
              onClose();
            } catch (error) {
              throw renameEmailErrors(error);
            }
          });
        }}
      >
        <Stack gap="sm">
          {form.formError && (
            <Alert color="red" role="alert">
              {form.formError}
            </Alert>
          )}
          <Group grow align="flex-start">
            <TextInput label="First name" autoFocus {...form.field("first_name")} />
            <TextInput label="Last name" {...form.field("last_name")} />
          </Group>
          <TextInput label="Email" type="email" {...form.field("email")} />
          <TextInput label="Title" {...form.field("title")} />
          <CompanySelect
            label="Company"
            value={company}
            onChange={setCompany}
            error={errors.company ? `The company ${errors.company}` : undefined}
          />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.submitting}>
              Create contact
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The form has one email field; the API names it `emails.0`. */
function renameEmailErrors(error: unknown): unknown {
  if (error && typeof error === "object" && "problem" in error) {
    const problem = (error as { problem: { errors?: { field: string; message: string }[] } }).problem;
    problem.errors = problem.errors?.map((item) =>
      item.field.startsWith("emails") ? { ...item, field: "email" } : item,
    );
  }
  return error;
}

export function NewCompanyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const form = useApiForm(
    { name: "", domain: "", industry: "" },
    { name: "The name", domain: "The domain", industry: "The industry" },
  );
  return (
    <Modal opened={opened} onClose={onClose} title="New company" size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void form.submit(async (values) => {
            const created = await createRecord("company", {
              name: values.name.trim(),
              domain: values.domain.trim() || null,
              industry: values.industry.trim() || null,
            });
            await client.invalidateQueries({ queryKey: keys.records("company") });
            notifications.show({
              color: "teal",
              title: "Company created",
              message: <Link to={`/${COLLECTION.company}/${created.id}`}>{titleOf("company", created)}</Link>,
            });
            form.setValues({ name: "", domain: "", industry: "" });
            onClose();
          });
        }}
      >
        <Stack gap="sm">
          {form.formError && (
            <Alert color="red" role="alert">
              {form.formError}
            </Alert>
          )}
          <TextInput label="Name" required autoFocus {...form.field("name")} />
          <TextInput label="Domain" placeholder="example.com" {...form.field("domain")} />
          <TextInput label="Industry" {...form.field("industry")} />
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.submitting}>
              Create company
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function NewLeadModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const empty = { first_name: "", last_name: "", email: "", company_name: "", title: "", source: "" };
  const form = useApiForm(empty, {
    first_name: "The first name",
    last_name: "The last name",
    email: "The email",
    company_name: "The company",
    title: "The title",
    source: "The source",
  });
  return (
    <Modal opened={opened} onClose={onClose} title="New lead" size="lg">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void form.submit(async (values) => {
            const body: BodyOf["lead"] = {
              first_name: values.first_name.trim(),
              last_name: values.last_name.trim(),
              email: values.email.trim() || null,
              company_name: values.company_name.trim() || null,
              title: values.title.trim() || null,
            };
            if (values.source.trim()) {
              body.source = values.source.trim();
            }
            const created = await createRecord("lead", body);
            await client.invalidateQueries({ queryKey: keys.records("lead") });
            notifications.show({
              color: "teal",
              title: "Lead created",
              message: <Link to={`/${COLLECTION.lead}/${created.id}`}>{titleOf("lead", created)}</Link>,
            });
            form.setValues(empty);
            onClose();
          });
        }}
      >
        <Stack gap="sm">
          {form.formError && (
            <Alert color="red" role="alert">
              {form.formError}
            </Alert>
          )}
          <Group grow align="flex-start">
            <TextInput label="First name" autoFocus {...form.field("first_name")} />
            <TextInput label="Last name" {...form.field("last_name")} />
          </Group>
          <TextInput label="Email" type="email" {...form.field("email")} />
          <TextInput label="Company" {...form.field("company_name")} />
          <Group grow align="flex-start">
            <TextInput label="Title" {...form.field("title")} />
            <TextInput label="Source" placeholder="manual" {...form.field("source")} />
          </Group>
          <Group justify="flex-end" mt="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.submitting}>
              Create lead
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
