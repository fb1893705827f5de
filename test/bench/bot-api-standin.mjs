// A Bot API stand-in for the benchmarks, run in a worker thread so that the bot under test has the
// main thread to itself, as it would against the real Telegram (a remote server). Plain JavaScript
// because a worker thread does not inherit tsx's loader.
//
// It answers getMe, getUpdates (long polling: held open until an update arrives or the timeout
// passes), sendMessage, answerCallbackQuery, editMessageReplyMarkup, setMyCommands, deleteWebhook
// with ok:true, listening on 127.0.0.1 only. Two modes:
//  - inbound: plays 1,000 people; each chat sends the next message of its script when the bot's
//    reply (a sendMessage to that chat) arrives, and the time from handing an update out in a
//    getUpdates answer to that reply is recorded;
//  - broadcast: enforces Telegram's limits (30 messages/s overall, 1 message/s per chat) by
//    answering 429 with retry_after, and records every accepted message per chat.
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const { mode, limits } = workerData;
const BOT = { id: 1000, is_bot: true, first_name: 'Bench', username: 'gxgc_bench_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false };

let nextUpdateId = 1;
let nextMessageId = 1;
/** updates not yet confirmed by an offset, in order */
const queue = [];
/** held getUpdates calls */
const waiting = [];

// ---- inbound bookkeeping --------------------------------------------------------------------
/** chatId -> { steps, next, lastKeyboard, pending: { handedOutAt } | null } */
const chats = new Map();
const latencies = [];
let finishedChats = 0;
let firstHandedOut = null;
let lastReply = null;
let unexpectedReplies = 0;

// ---- broadcast bookkeeping ------------------------------------------------------------------
const accepted = []; // timestamps of accepted sendMessage calls (ms, performance clock)
const perChatCount = new Map();
const perChatLast = new Map();
let tooMany = 0;

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function flushPolls() {
  while (waiting.length && queue.length) {
    const poll = waiting.shift();
    clearTimeout(poll.timer);
    answerPoll(poll.res, poll.offset, poll.limit);
  }
}

function answerPoll(res, offset, limit) {
  const now = performance.now();
  const batch = queue.slice(0, limit);
  for (const u of batch) {
    if (u.handedOutAt === undefined) {
      u.handedOutAt = now;
      const chat = chats.get(u.chatId);
      if (chat && chat.pending && chat.pending.updateId === u.update_id) chat.pending.handedOutAt = now;
      if (firstHandedOut === null) firstHandedOut = now;
    }
  }
  send(res, 200, { ok: true, result: batch.map((u) => u.payload) });
}

function getUpdates(res, params) {
  const offset = Number(params.offset ?? 0);
  while (queue.length && queue[0].update_id < offset) queue.shift();
  const limit = Math.min(100, Number(params.limit ?? 100));
  if (queue.length) return answerPoll(res, offset, limit);
  const timeoutMs = Math.min(Number(params.timeout ?? 0), 30) * 1000;
  if (timeoutMs === 0) return send(res, 200, { ok: true, result: [] });
  const poll = { res, offset, limit, timer: setTimeout(() => {
    const i = waiting.indexOf(poll);
    if (i >= 0) waiting.splice(i, 1);
    send(res, 200, { ok: true, result: [] });
  }, timeoutMs) };
  waiting.push(poll);
  res.on('close', () => {
    const i = waiting.indexOf(poll);
    if (i >= 0) {
      waiting.splice(i, 1);
      clearTimeout(poll.timer);
    }
  });
}

function person(chatId) {
  return { id: chatId, is_bot: false, first_name: `联络人${chatId}` };
}

function enqueueStep(chatId) {
  const chat = chats.get(chatId);
  const step = chat.steps[chat.next];
  const update_id = nextUpdateId++;
  let payload;
  if (step.kind === 'button') {
    const data = chat.lastKeyboard?.inline_keyboard?.[0]?.[0]?.callback_data ?? step.fallback;
    payload = {
      update_id,
      callback_query: {
        id: String(update_id),
        from: person(chatId),
        chat_instance: `ci${chatId}`,
        data,
        message: { message_id: chat.lastMessageId ?? 1, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: `联络人${chatId}` }, from: BOT, text: '…' },
      },
    };
  } else {
    const message = { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: `联络人${chatId}` }, from: person(chatId), text: step.text };
    if (step.text.startsWith('/')) message.entities = [{ type: 'bot_command', offset: 0, length: step.text.split(' ')[0].length }];
    payload = { update_id, message };
  }
  chat.pending = { updateId: update_id, handedOutAt: undefined };
  if (pacing) pacing.ready.push({ update_id, chatId, payload });
  else queue.push({ update_id, chatId, payload });
}

/** Open-loop pacing for the latency phase: updates become available at a fixed rate, not as fast as the bot answers. */
let pacing = null;
function startPacing(ratePerSecond) {
  pacing = { ready: [], released: 0, startedAt: performance.now(), timer: null };
  pacing.timer = setInterval(() => {
    const due = Math.floor(((performance.now() - pacing.startedAt) * ratePerSecond) / 1000) - pacing.released;
    let moved = 0;
    while (moved < due && pacing.ready.length) {
      const u = pacing.ready.shift();
      // update ids must rise in the order updates are handed out
      u.update_id = u.payload.update_id = nextUpdateId++;
      const chat = chats.get(u.chatId);
      chat.pending.updateId = u.update_id;
      queue.push(u);
      moved++;
    }
    // an idle moment does not bank a burst for later
    pacing.released += due > 0 && moved < due ? due : moved;
    if (moved) flushPolls();
  }, 1);
}

function onSendMessage(res, params) {
  const chatId = Number(params.chat_id);
  const now = performance.now();
  if (mode === 'broadcast') {
    const windowStart = now - 1000;
    while (accepted.length && accepted[0] <= windowStart) accepted.shift();
    const last = perChatLast.get(chatId);
    if (accepted.length >= limits.globalPerSecond || (last !== undefined && now - last < 1000 / limits.perChatPerSecond)) {
      tooMany++;
      return send(res, 429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    }
    accepted.push(now);
    perChatLast.set(chatId, now);
    perChatCount.set(chatId, (perChatCount.get(chatId) ?? 0) + 1);
    broadcastLog.push(now);
  }
  const message_id = nextMessageId++;
  send(res, 200, { ok: true, result: { message_id, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private', first_name: `联络人${chatId}` }, from: BOT, text: String(params.text ?? '') } });
  if (mode !== 'inbound') return;
  const chat = chats.get(chatId);
  if (!chat || !chat.pending || chat.pending.handedOutAt === undefined) {
    unexpectedReplies++;
    return;
  }
  // the first message back answers the pending update; a reply in several messages counts once
  latencies.push(now - chat.pending.handedOutAt);
  lastReply = now;
  chat.pending = null;
  chat.lastKeyboard = params.reply_markup ? (typeof params.reply_markup === 'string' ? JSON.parse(params.reply_markup) : params.reply_markup) : null;
  chat.lastMessageId = message_id;
  chat.next++;
  if (chat.next < chat.steps.length) {
    enqueueStep(chatId);
    flushPolls();
  } else if (++finishedChats === chats.size) {
    if (pacing) clearInterval(pacing.timer);
    parentPort.postMessage({ type: 'done', latencies, elapsedMs: lastReply - firstHandedOut, unexpectedReplies });
  }
}
const broadcastLog = [];

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const method = req.url.split('/').pop().split('?')[0];
    let params = {};
    const body = Buffer.concat(chunks).toString('utf8');
    if (body && (req.headers['content-type'] ?? '').includes('json')) params = JSON.parse(body);
    switch (method) {
      case 'getMe':
        return send(res, 200, { ok: true, result: BOT });
      case 'getUpdates':
        return getUpdates(res, params);
      case 'sendMessage':
        return onSendMessage(res, params);
      default:
        return send(res, 200, { ok: true, result: true });
    }
  });
});
server.keepAliveTimeout = 60_000;

parentPort.on('message', (msg) => {
  if (msg.type === 'start') {
    chats.clear();
    latencies.length = 0;
    finishedChats = 0;
    firstHandedOut = null;
    lastReply = null;
    unexpectedReplies = 0;
    for (const [chatId, steps] of msg.scripts) chats.set(chatId, { steps, next: 0, lastKeyboard: null, pending: null });
    if (pacing) clearInterval(pacing.timer);
    pacing = null;
    if (msg.ratePerSecond) startPacing(msg.ratePerSecond);
    for (const chatId of chats.keys()) enqueueStep(chatId);
    flushPolls();
  } else if (msg.type === 'broadcastStats') {
    parentPort.postMessage({ type: 'broadcastStats', tooMany, perChat: [...perChatCount], first: broadcastLog[0] ?? null, last: broadcastLog.at(-1) ?? null, acceptedTimes: broadcastLog });
  } else if (msg.type === 'close') {
    for (const poll of waiting.splice(0)) {
      clearTimeout(poll.timer);
      send(poll.res, 200, { ok: true, result: [] });
    }
    server.closeAllConnections?.();
    server.close(() => process.exit(0));
  }
});

server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'ready', port: server.address().port }));
