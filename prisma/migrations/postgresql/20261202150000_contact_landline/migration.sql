-- A contact may have a landline (电话) and no mobile.
-- AlterTable
ALTER TABLE "Contact" ALTER COLUMN "mobile" DROP NOT NULL,
ADD COLUMN     "landline" TEXT;
