-- CreateTable
CREATE TABLE "crm_syncs" (
    "account_id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "poll_cursor" TEXT,
    "polled_at" TIMESTAMP(3),
    "error" JSONB,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "crm_syncs_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "crm_links" (
    "account_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "record_id" TEXT,
    "pending" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "changed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent" JSONB NOT NULL DEFAULT '{}',
    "seen" JSONB NOT NULL DEFAULT '{}',
    "seen_updated_at" TEXT,
    "synced_at" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3),
    "error" JSONB,

    CONSTRAINT "crm_links_pkey" PRIMARY KEY ("account_id","contact_id")
);

-- CreateIndex
CREATE INDEX "crm_syncs_workspace_id_idx" ON "crm_syncs"("workspace_id");

-- CreateIndex
CREATE INDEX "crm_links_account_id_pending_changed_at_idx" ON "crm_links"("account_id", "pending", "changed_at");

-- CreateIndex
CREATE INDEX "crm_links_contact_id_idx" ON "crm_links"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "crm_links_account_id_record_id_key" ON "crm_links"("account_id", "record_id");

-- AddForeignKey
ALTER TABLE "crm_syncs" ADD CONSTRAINT "crm_syncs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "channel_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_links" ADD CONSTRAINT "crm_links_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "channel_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "crm_links" ADD CONSTRAINT "crm_links_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
