-- The contacts search (`GET /api/contacts?q=`, prisma/contacts.ts searchContacts) is a case-insensitive substring
-- match on names and identity values: trigram GIN indexes serve ILIKE '%…%' for three characters or more. Prisma's
-- schema cannot express an operator class, so these live here only (db:diff compares schemas and never drops them).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING GIN ("name" gin_trgm_ops);

CREATE INDEX "identities_value_trgm_idx" ON "identities" USING GIN ("value" gin_trgm_ops);
