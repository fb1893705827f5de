-- a chat's conversation is written only by the instance that read its current version (bot/core/conversation.ts)
ALTER TABLE "Conversation" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0;
