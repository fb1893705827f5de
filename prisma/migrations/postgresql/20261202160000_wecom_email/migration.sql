-- AlterTable
ALTER TABLE "Contact" ADD COLUMN "wecomUserId" TEXT;

-- CreateTable
CREATE TABLE "AckLink" (
    "id" SERIAL NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "noticeId" INTEGER NOT NULL,
    "contactId" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AckLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Contact_wecomUserId_idx" ON "Contact"("wecomUserId");

-- CreateIndex
CREATE UNIQUE INDEX "AckLink_tokenHash_key" ON "AckLink"("tokenHash");

-- CreateIndex
CREATE INDEX "AckLink_noticeId_contactId_idx" ON "AckLink"("noticeId", "contactId");

-- AddForeignKey
ALTER TABLE "AckLink" ADD CONSTRAINT "AckLink_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AckLink" ADD CONSTRAINT "AckLink_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
