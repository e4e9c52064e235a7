-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "origin" TEXT;
