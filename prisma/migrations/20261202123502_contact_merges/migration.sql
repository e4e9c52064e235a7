-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "merged_at" TIMESTAMP(3),
ADD COLUMN     "merged_into_id" TEXT;

-- CreateTable
CREATE TABLE "contact_merges" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "survivor_id" TEXT NOT NULL,
    "merged_id" TEXT NOT NULL,
    "members" TEXT[],
    "by" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "undone_at" TIMESTAMP(3),

    CONSTRAINT "contact_merges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "contact_merges_workspace_id_survivor_id_created_at_idx" ON "contact_merges"("workspace_id", "survivor_id", "created_at");

-- CreateIndex
CREATE INDEX "contact_merges_workspace_id_merged_id_created_at_idx" ON "contact_merges"("workspace_id", "merged_id", "created_at");

-- CreateIndex
CREATE INDEX "contacts_merged_into_id_idx" ON "contacts"("merged_into_id");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_merged_into_id_fkey" FOREIGN KEY ("merged_into_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_merges" ADD CONSTRAINT "contact_merges_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
