-- CreateTable
CREATE TABLE "contact_events" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "cause_flow_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMP(3),

    CONSTRAINT "contact_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "contact_events_dispatched_at_idx" ON "contact_events"("dispatched_at");
