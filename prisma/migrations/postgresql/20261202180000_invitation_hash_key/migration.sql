-- Invitations hashed with a keyed HMAC: which key made the hash (null: an old unkeyed hash, upgraded at start)
ALTER TABLE "Invitation" ADD COLUMN "hashKeyId" TEXT;
