-- CreateIndex
CREATE INDEX "MonthlyReport_month_isLate_idx" ON "MonthlyReport"("month", "isLate");
