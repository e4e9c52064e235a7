-- AlterTable
ALTER TABLE "rate_buckets" ADD COLUMN     "blocked_until" BIGINT NOT NULL DEFAULT 0;
