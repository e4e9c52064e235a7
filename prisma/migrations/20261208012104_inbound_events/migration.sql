-- CreateTable
CREATE TABLE "inbound_events" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "workspace_id" TEXT NOT NULL,
    "task_queue" TEXT NOT NULL,
    "input" JSONB NOT NULL,
    "request_hash" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "inbound_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
-- Partial (written here; Prisma's schema cannot say it): the relay's claim reads pending rows only, so the index stays
-- the size of the backlog however many dispatched rows the retention keeps.
CREATE INDEX "inbound_events_task_queue_available_at_idx" ON "inbound_events"("task_queue", "available_at")
    WHERE "dispatched_at" IS NULL;

-- CreateIndex
CREATE INDEX "inbound_events_dispatched_at_idx" ON "inbound_events"("dispatched_at");
