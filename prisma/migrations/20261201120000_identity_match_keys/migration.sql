-- Identities gain a match key, validity, verification and structured provenance (connectors/contacts/identity.ts).
-- Written by hand: `npm run db:diff` renders the columns but not the data conversion nor the partial unique index.

-- The old unique (workspace, kind, value) gives way to the partial unique index on the match key below.
DROP INDEX "identities_workspace_id_kind_value_key";

ALTER TABLE "identities" ADD COLUMN "key" TEXT,
ADD COLUMN "valid" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN "verified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "provenance" JSONB;

-- Provenance: the old text forms `run:<runId>:<nodeId>` and `channel:<accountId>:<providerMessageId>` become the
-- IDENTITY_SOURCE_SCHEMA shapes; anything else (or nothing) was the API's.
UPDATE "identities" SET "provenance" = CASE
  WHEN "source" ~ '^run:[^:]+:.+$' THEN jsonb_build_object(
    'type', 'run', 'runId', split_part("source", ':', 2), 'nodeId', substring("source" FROM '^run:[^:]+:(.+)$'))
  WHEN "source" ~ '^channel:[^:]+:.+$' THEN jsonb_build_object(
    'type', 'message', 'accountId', split_part("source", ':', 2),
    'providerMessageId', substring("source" FROM '^channel:[^:]+:(.+)$'))
  WHEN "source" IS NULL THEN '{"type":"api"}'::jsonb
  ELSE jsonb_build_object('type', 'api', 'ref', "source")
END;
ALTER TABLE "identities" DROP COLUMN "source";
ALTER TABLE "identities" RENAME COLUMN "provenance" TO "source";
ALTER TABLE "identities" ALTER COLUMN "source" SET NOT NULL;

-- Match keys: values were stored normalised already (lower-cased email, E.164 phone), so the key is the value, except
-- Gmail addresses, whose key is the mailbox (no dots, no +tag, gmail.com). Where two stored Gmail spellings of one
-- mailbox already sit in a workspace, the oldest takes the key and the others get a key nothing matches ('~' + id):
-- they stay as they were (separate), for a person to merge.
WITH candidate AS (
  SELECT "id", "workspace_id", "kind", "created_at",
    CASE WHEN "kind" = 'email' AND split_part("value", '@', 2) IN ('gmail.com', 'googlemail.com')
           AND replace(split_part(split_part("value", '@', 1), '+', 1), '.', '') <> ''
      THEN replace(split_part(split_part("value", '@', 1), '+', 1), '.', '') || '@gmail.com'
      ELSE "value" END AS "key"
  FROM "identities"
), ranked AS (
  SELECT "id", "key", row_number() OVER (PARTITION BY "workspace_id", "kind", "key" ORDER BY "created_at", "id") AS n
  FROM candidate
)
UPDATE "identities" i SET "key" = CASE WHEN r.n = 1 THEN r."key" ELSE '~' || i."id" END
FROM ranked r WHERE r."id" = i."id";
ALTER TABLE "identities" ALTER COLUMN "key" SET NOT NULL;

-- One valid identity per (workspace, kind, key): the database decides who wins a race for a new one. Partial (WHERE
-- valid), which Prisma's schema cannot express, so it lives only here: invalid identities, kept as written, may repeat.
CREATE UNIQUE INDEX "identities_workspace_id_kind_key_valid_key" ON "identities"("workspace_id", "kind", "key") WHERE "valid";

-- CreateIndex
CREATE INDEX "identities_workspace_id_kind_value_idx" ON "identities"("workspace_id", "kind", "value");
