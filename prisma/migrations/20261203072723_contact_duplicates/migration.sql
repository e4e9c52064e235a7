-- CreateTable
CREATE TABLE "contact_duplicates" (
    "id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "contact_a" TEXT NOT NULL,
    "contact_b" TEXT NOT NULL,
    "reasons" JSONB NOT NULL,
    "score" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "merge_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_duplicates_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "contact_duplicates_workspace_id_status_created_at_idx" ON "contact_duplicates"("workspace_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "contact_duplicates_merge_id_idx" ON "contact_duplicates"("merge_id");

-- CreateIndex
CREATE UNIQUE INDEX "contact_duplicates_workspace_id_contact_a_contact_b_key" ON "contact_duplicates"("workspace_id", "contact_a", "contact_b");

-- AddForeignKey
ALTER TABLE "contact_duplicates" ADD CONSTRAINT "contact_duplicates_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
