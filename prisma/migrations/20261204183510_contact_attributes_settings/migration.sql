-- CreateTable
CREATE TABLE "contact_attributes" (
    "workspace_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "options" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_attributes_pkey" PRIMARY KEY ("workspace_id","key")
);

-- CreateTable
CREATE TABLE "contact_settings" (
    "workspace_id" TEXT NOT NULL,
    "merge_on_shared_delivery" BOOLEAN NOT NULL DEFAULT true,
    "auto_merge_score" INTEGER,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_settings_pkey" PRIMARY KEY ("workspace_id")
);

-- CreateIndex
CREATE INDEX "contacts_attributes_idx" ON "contacts" USING GIN ("attributes" jsonb_path_ops);

-- AddForeignKey
ALTER TABLE "contact_attributes" ADD CONSTRAINT "contact_attributes_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_settings" ADD CONSTRAINT "contact_settings_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- `GET /api/contacts?attr.<key>=` on a text attribute is a case-insensitive substring match: a trigram index on the
-- attributes' JSON text finds the candidate rows (three characters or more), `attributes->>key` then decides.
-- Prisma's schema cannot express an expression index with an operator class, so it lives here only.
CREATE INDEX "contacts_attributes_trgm_idx" ON "contacts" USING GIN (("attributes"::text) gin_trgm_ops);
