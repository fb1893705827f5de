-- CreateTable
CREATE TABLE "AcceptanceApplication" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AcceptanceApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AcceptanceApplicationVersion" (
    "id" SERIAL NOT NULL,
    "applicationId" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "form" TEXT NOT NULL,
    "selfCheck" TEXT NOT NULL DEFAULT '[]',
    "submittedByContactId" INTEGER,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AcceptanceApplicationVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AcceptanceEvent" (
    "id" SERIAL NOT NULL,
    "applicationId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "actorContactId" INTEGER,
    "actor" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "AcceptanceEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reinspection" (
    "id" SERIAL NOT NULL,
    "servicePointId" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "result" TEXT NOT NULL,
    "deadline" TEXT,
    "note" TEXT,
    "recordedByContactId" INTEGER,
    "recordedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Reinspection_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "AcceptanceApplication" ADD CONSTRAINT "AcceptanceApplication_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AcceptanceApplicationVersion" ADD CONSTRAINT "AcceptanceApplicationVersion_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "AcceptanceApplication"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AcceptanceEvent" ADD CONSTRAINT "AcceptanceEvent_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "AcceptanceApplication"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reinspection" ADD CONSTRAINT "Reinspection_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
