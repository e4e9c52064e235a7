-- AlterTable
ALTER TABLE "identities" ADD COLUMN     "shared" BOOLEAN NOT NULL DEFAULT false;

-- The one-owner rule holds for identities that are not shared: a household's phone has a shared copy per person
-- (one per contact), still partial indexes that Prisma's schema cannot express, so they live only here.
DROP INDEX "identities_workspace_id_kind_key_valid_key";
CREATE UNIQUE INDEX "identities_workspace_id_kind_key_valid_key" ON "identities"("workspace_id", "kind", "key") WHERE "valid" AND NOT "shared";
CREATE UNIQUE INDEX "identities_contact_id_kind_key_shared_key" ON "identities"("contact_id", "kind", "key") WHERE "valid" AND "shared";
