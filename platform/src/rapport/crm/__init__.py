"""CRM: companies, contacts and (to come) leads, deals, pipelines, activities — one list shape for all."""
