-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "error_flow_id" TEXT;

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "closed_at" TIMESTAMP(3),
ADD COLUMN     "closed_by" JSONB,
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'open';

-- AlterTable
ALTER TABLE "contact_events" ADD COLUMN     "dedupe_key" TEXT,
ALTER COLUMN "contact_id" DROP NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "contact_events_dedupe_key_key" ON "contact_events"("dedupe_key");
