-- The command menu the Telegram channel last set for a chat, as a digest, so a restart sets only the menus that changed
-- AlterTable
ALTER TABLE "ChannelIdentity" ADD COLUMN "menuDigest" TEXT;
