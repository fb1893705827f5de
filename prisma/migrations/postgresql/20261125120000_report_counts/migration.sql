-- CreateIndex
CREATE INDEX "ServicePoint_active_level_idx" ON "ServicePoint"("active", "level");

-- CreateIndex
CREATE INDEX "MonthlyReport_month_isLate_idx" ON "MonthlyReport"("month", "isLate");
