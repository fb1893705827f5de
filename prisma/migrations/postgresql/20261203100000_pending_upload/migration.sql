-- A file sent in a chat for import waits here for 确认导入, no longer inside the conversation's state
CREATE TABLE "PendingUpload" (
    "id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingUpload_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "PendingUpload_channel_chatId_idx" ON "PendingUpload"("channel", "chatId");
CREATE INDEX "PendingUpload_createdAt_idx" ON "PendingUpload"("createdAt");
