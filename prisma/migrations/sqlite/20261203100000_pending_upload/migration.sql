-- A file sent in a chat for import waits here for 确认导入, no longer inside the conversation's state
CREATE TABLE "PendingUpload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "content" BLOB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "PendingUpload_channel_chatId_idx" ON "PendingUpload"("channel", "chatId");
CREATE INDEX "PendingUpload_createdAt_idx" ON "PendingUpload"("createdAt");
