-- AlterTable
ALTER TABLE "Contact" ADD COLUMN "wecomUserId" TEXT;

-- CreateTable
CREATE TABLE "AckLink" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tokenHash" TEXT NOT NULL,
    "noticeId" INTEGER NOT NULL,
    "contactId" INTEGER NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AckLink_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AckLink_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Contact_wecomUserId_idx" ON "Contact"("wecomUserId");

-- CreateIndex
CREATE UNIQUE INDEX "AckLink_tokenHash_key" ON "AckLink"("tokenHash");

-- CreateIndex
CREATE INDEX "AckLink_noticeId_contactId_idx" ON "AckLink"("noticeId", "contactId");
