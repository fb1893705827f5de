-- The figures the year's assessment adds up, as columns: reading them from the JSON of every
-- report was most of the assessment's time at 100,000 points. The report store writes them on
-- every save; stored reports get them from their JSON here (numbers only, as the assessment reads them).
ALTER TABLE "MonthlyReport" ADD COLUMN "visitors" REAL;
ALTER TABLE "MonthlyReport" ADD COLUMN "openHours" REAL;
ALTER TABLE "MonthlyReport" ADD COLUMN "activities" REAL;
ALTER TABLE "MonthlyReport" ADD COLUMN "computers" REAL;

UPDATE "MonthlyReport" SET
  "visitors" = CASE WHEN json_type("figures", '$.visitors') IN ('integer', 'real') THEN json_extract("figures", '$.visitors') END,
  "openHours" = CASE WHEN json_type("figures", '$.openHours') IN ('integer', 'real') THEN json_extract("figures", '$.openHours') END,
  "activities" = CASE WHEN json_type("figures", '$.activities') IN ('integer', 'real') THEN json_extract("figures", '$.activities') END,
  "computers" = CASE WHEN json_type("figures", '$.computers') IN ('integer', 'real') THEN json_extract("figures", '$.computers') END
WHERE json_valid("figures") AND json_type("figures") = 'object';

-- the year's fold reads a point's months from this index alone
CREATE INDEX "MonthlyReport_assessment_idx" ON "MonthlyReport"("servicePointId", "month", "isLate", "visitors", "openHours", "activities", "computers");

-- the unacknowledged notices per point, from the index alone; it leads with servicePointId, so it
-- serves every query the index it replaces served
DROP INDEX "NoticeRecipient_servicePointId_idx";
CREATE INDEX "NoticeRecipient_servicePointId_noticeId_acknowledgedAt_idx" ON "NoticeRecipient"("servicePointId", "noticeId", "acknowledgedAt");
