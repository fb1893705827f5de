-- The figures the year's assessment adds up, as columns: reading them from the JSON of every
-- report was most of the assessment's time at 100,000 points. The report store writes them on
-- every save; stored reports get them from their JSON here (numbers only, as the assessment reads them).
ALTER TABLE "MonthlyReport" ADD COLUMN "visitors" DOUBLE PRECISION,
  ADD COLUMN "openHours" DOUBLE PRECISION,
  ADD COLUMN "activities" DOUBLE PRECISION,
  ADD COLUMN "computers" DOUBLE PRECISION;

-- a row whose text is not JSON keeps its columns null instead of failing the migration (PostgreSQL 15 has no IS JSON)
CREATE FUNCTION pg_temp.gxgc_figures_object(t TEXT) RETURNS JSON LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN CASE WHEN json_typeof(t::json) = 'object' THEN t::json END;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

UPDATE "MonthlyReport" r SET
  "visitors" = CASE WHEN json_typeof(j.f -> 'visitors') = 'number' THEN (j.f ->> 'visitors')::float8 END,
  "openHours" = CASE WHEN json_typeof(j.f -> 'openHours') = 'number' THEN (j.f ->> 'openHours')::float8 END,
  "activities" = CASE WHEN json_typeof(j.f -> 'activities') = 'number' THEN (j.f ->> 'activities')::float8 END,
  "computers" = CASE WHEN json_typeof(j.f -> 'computers') = 'number' THEN (j.f ->> 'computers')::float8 END
FROM (SELECT "id", pg_temp.gxgc_figures_object("figures") AS f FROM "MonthlyReport") j
WHERE j."id" = r."id" AND j.f IS NOT NULL;

DROP FUNCTION pg_temp.gxgc_figures_object(TEXT);

-- the year's fold reads a point's months from this index alone
CREATE INDEX "MonthlyReport_assessment_idx" ON "MonthlyReport"("servicePointId", "month", "isLate", "visitors", "openHours", "activities", "computers");

-- the unacknowledged notices per point, from the index alone; it leads with servicePointId, so it
-- serves every query the index it replaces served
DROP INDEX "NoticeRecipient_servicePointId_idx";
CREATE INDEX "NoticeRecipient_servicePointId_noticeId_acknowledgedAt_idx" ON "NoticeRecipient"("servicePointId", "noticeId", "acknowledgedAt");
