-- AlterTable
ALTER TABLE "crm_links" ADD COLUMN     "logged_id" TEXT,
ADD COLUMN     "logged_until" TIMESTAMP(3);
