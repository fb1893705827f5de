-- CreateIndex
CREATE INDEX "ServicePoint_active_level_idx" ON "ServicePoint"("active", "level");

-- CreateIndex
CREATE INDEX "MonthlyReport_month_status_isLate_servicePointId_idx" ON "MonthlyReport"("month", "status", "isLate", "servicePointId");
