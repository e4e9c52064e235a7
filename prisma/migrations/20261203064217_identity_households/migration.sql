-- AlterTable
ALTER TABLE "identities" ADD COLUMN     "shared" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "detached_at" TIMESTAMP(3),
ADD COLUMN     "detached_by" JSONB;

-- The one-owner rule holds for attached identities that are not shared: a household's phone has a shared copy per
-- person (one per contact), and a detached identity matches nobody. Partial indexes, which Prisma's schema cannot
-- express, so they live only here.
DROP INDEX "identities_workspace_id_kind_key_valid_key";
CREATE UNIQUE INDEX "identities_workspace_id_kind_key_valid_key" ON "identities"("workspace_id", "kind", "key") WHERE "valid" AND NOT "shared" AND "detached_at" IS NULL;
CREATE UNIQUE INDEX "identities_contact_id_kind_key_shared_key" ON "identities"("contact_id", "kind", "key") WHERE "valid" AND "shared" AND "detached_at" IS NULL;

-- Lookups by match key see shared copies too, which the partial unique index leaves out.
CREATE INDEX "identities_workspace_id_kind_key_idx" ON "identities"("workspace_id", "kind", "key");
