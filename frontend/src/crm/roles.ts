// Contact roles: the people on a deal with their role (a fixed list), and a contact's other companies with
// a free-text role (rapport/crm/roles.py). Setting one changes the deal (or the contact): the lists live
// under that record type's query keys, so a realtime change of it refreshes them.
import { api, unwrap, unwrapAs } from "../api/client";
import { keys } from "../api/keys";

export interface Related {
  id: number;
  title: string;
  /** The other record's email (contacts) or domain (companies), when the member may see it. */
  detail: string | null;
  role: string;
}

export const DEAL_ROLES = [
  { value: "decision_maker", label: "Decision maker" },
  { value: "champion", label: "Champion" },
  { value: "influencer", label: "Influencer" },
  { value: "economic_buyer", label: "Economic buyer" },
  { value: "technical_buyer", label: "Technical buyer" },
  { value: "end_user", label: "End user" },
  { value: "other", label: "Other" },
];

export function roleLabel(role: string): string {
  return DEAL_ROLES.find((item) => item.value === role)?.label ?? role;
}

export const roleKeys = {
  dealContacts: (deal: number) => [...keys.records("deal"), "contacts", deal] as const,
  contactCompanies: (contact: number) => [...keys.records("contact"), "companies", contact] as const,
  // A company's people change with their contacts (the relation is the contact's).
  companyPeople: (company: number) => [...keys.records("contact"), "people-of", company] as const,
};

export function dealContacts(deal: number): Promise<Related[]> {
  return unwrapAs<Related[]>(api.GET("/api/v1/deals/{record_id}/contacts", { params: { path: { record_id: deal } } }));
}

export function setDealContact(deal: number, contact: number, role: string): Promise<unknown> {
  return unwrap(
    api.PUT("/api/v1/deals/{record_id}/contacts/{other_id}", {
      params: { path: { record_id: deal, other_id: contact } },
      body: { role },
    }),
  );
}

export function removeDealContact(deal: number, contact: number): Promise<unknown> {
  return unwrap(
    api.DELETE("/api/v1/deals/{record_id}/contacts/{other_id}", { params: { path: { record_id: deal, other_id: contact } } }),
  );
}

export function contactCompanies(contact: number): Promise<Related[]> {
  return unwrapAs<Related[]>(
    api.GET("/api/v1/contacts/{record_id}/companies", { params: { path: { record_id: contact } } }),
  );
}

export function setContactCompany(contact: number, company: number, role: string): Promise<unknown> {
  return unwrap(
    api.PUT("/api/v1/contacts/{record_id}/companies/{other_id}", {
      params: { path: { record_id: contact, other_id: company } },
      body: { role },
    }),
  );
}

export function removeContactCompany(contact: number, company: number): Promise<unknown> {
  return unwrap(
    api.DELETE("/api/v1/contacts/{record_id}/companies/{other_id}", {
      params: { path: { record_id: contact, other_id: company } },
    }),
  );
}

export function companyPeople(company: number): Promise<Related[]> {
  return unwrapAs<Related[]>(api.GET("/api/v1/companies/{record_id}/people", { params: { path: { record_id: company } } }));
}
