-- CreateTable
CREATE TABLE "flow_poll_cursors" (
    "flow_id" TEXT NOT NULL,
    "source_key" TEXT NOT NULL,
    "cursor" JSONB,
    "last_polled_at" TIMESTAMP(3),
    "last_error" JSONB,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "runs_started" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flow_poll_cursors_pkey" PRIMARY KEY ("flow_id","source_key")
);

-- CreateTable
CREATE TABLE "flow_poll_seen" (
    "flow_id" TEXT NOT NULL,
    "source_key" TEXT NOT NULL,
    "item_key" TEXT NOT NULL,
    "run_id" TEXT,
    "first_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flow_poll_seen_pkey" PRIMARY KEY ("flow_id","source_key","item_key")
);

-- CreateIndex
CREATE INDEX "flow_poll_seen_last_seen_at_idx" ON "flow_poll_seen"("last_seen_at");

-- AddForeignKey
ALTER TABLE "flow_poll_cursors" ADD CONSTRAINT "flow_poll_cursors_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "flow_poll_seen" ADD CONSTRAINT "flow_poll_seen_flow_id_source_key_fkey" FOREIGN KEY ("flow_id", "source_key") REFERENCES "flow_poll_cursors"("flow_id", "source_key") ON DELETE CASCADE ON UPDATE CASCADE;
