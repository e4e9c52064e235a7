-- CreateIndex
CREATE INDEX "contact_events_contact_id_type_created_at_idx" ON "contact_events"("contact_id", "type", "created_at");

-- CreateIndex
CREATE INDEX "contact_events_workspace_id_type_idx" ON "contact_events"("workspace_id", "type");
