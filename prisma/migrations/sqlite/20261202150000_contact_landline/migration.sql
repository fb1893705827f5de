-- A contact may have a landline (电话) and no mobile. SQLite cannot drop a NOT NULL: the table is
-- rebuilt, Prisma's way (bot/db/migrate.ts runs migrations with foreign keys off, then checks them).
-- RedefineTables
CREATE TABLE "new_Contact" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "servicePointId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "mobile" TEXT,
    "landline" TEXT,
    "email" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "preferredChannel" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Contact_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Contact" ("id", "servicePointId", "name", "role", "mobile", "email", "active", "preferredChannel", "createdAt", "updatedAt")
  SELECT "id", "servicePointId", "name", "role", "mobile", "email", "active", "preferredChannel", "createdAt", "updatedAt" FROM "Contact";
DROP TABLE "Contact";
ALTER TABLE "new_Contact" RENAME TO "Contact";
CREATE UNIQUE INDEX "Contact_mobile_key" ON "Contact"("mobile");
CREATE INDEX "Contact_servicePointId_idx" ON "Contact"("servicePointId");
