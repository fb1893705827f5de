-- CreateTable
CREATE TABLE "AcceptanceApplication" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "servicePointId" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "appliedByContactId" INTEGER,
    "receivedOn" TEXT,
    "deadline" TEXT,
    "remindOn" TEXT,
    "deadlineProvisional" BOOLEAN NOT NULL DEFAULT false,
    "scheduledOn" TEXT,
    "plaqueOn" TEXT,
    "rectification" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AcceptanceApplication_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AcceptanceApplicationVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "applicationId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "form" TEXT NOT NULL,
    "selfCheck" TEXT NOT NULL DEFAULT '[]',
    "submittedByContactId" INTEGER,
    "submittedAt" DATETIME NOT NULL,
    CONSTRAINT "AcceptanceApplicationVersion_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "AcceptanceApplication" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AcceptanceEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "applicationId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "actorContactId" INTEGER,
    "actor" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "AcceptanceEvent_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "AcceptanceApplication" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Reinspection" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "servicePointId" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "result" TEXT NOT NULL,
    "deadline" TEXT,
    "note" TEXT,
    "recordedByContactId" INTEGER,
    "recordedAt" DATETIME NOT NULL,
    CONSTRAINT "Reinspection_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AcceptanceApplication_servicePointId_idx" ON "AcceptanceApplication"("servicePointId");

-- CreateIndex
CREATE INDEX "AcceptanceApplication_state_idx" ON "AcceptanceApplication"("state");

-- CreateIndex
CREATE UNIQUE INDEX "AcceptanceApplicationVersion_applicationId_version_key" ON "AcceptanceApplicationVersion"("applicationId", "version");

-- CreateIndex
CREATE INDEX "AcceptanceEvent_applicationId_idx" ON "AcceptanceEvent"("applicationId");

-- CreateIndex
CREATE INDEX "Reinspection_servicePointId_year_idx" ON "Reinspection"("servicePointId", "year");

-- CreateIndex
CREATE INDEX "Reinspection_result_deadline_idx" ON "Reinspection"("result", "deadline");
