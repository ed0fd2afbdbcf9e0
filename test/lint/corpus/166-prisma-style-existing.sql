-- expect: add-column-required, create-index-non-concurrent
-- AlterTable
ALTER TABLE "User" ADD COLUMN "role" TEXT NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
