-- CreateIndex
CREATE INDEX "messages_address_idx" ON "messages" USING GIN ("address" jsonb_path_ops);
