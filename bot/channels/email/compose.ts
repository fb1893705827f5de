// What a proactive message looks like as an e-mail: a Chinese subject from the message's first line,
// the message as plain text and simple HTML (UTF-8; nodemailer encodes the subject per RFC 2047 and
// the body as quoted-printable or base64, which QQ邮箱, 163/126 and Outlook all read), and for a
// notice the personal acknowledgement link in place of "reply 收到", which e-mail cannot do.
import { localDateTimeString } from '../../time.ts';

export const SUBJECT_PREFIX = '东莞市文化共享工程';

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}

/** lines telling a chat user to reply "收到" or press the button: e-mail gets the link instead */
const CHAT_ACK_LINE = /回复“收到”|点“收到”按钮/;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function composeEmail(message: { text: string; ack?: { url: string; expiresAt: Date } }): ComposedEmail {
  const lines = message.text.split('\n');
  const first = lines[0]!.trim().replace(/^【([^】]+)】\s*/, '$1：').replace(/：$/, '');
  const subject = `【${SUBJECT_PREFIX}】${first}`.slice(0, 120);
  const body = message.ack ? lines.filter((l) => !CHAT_ACK_LINE.test(l)) : lines;
  const closing = message.ack
    ? ['', '确认收到：请打开下面的链接，点击“确认收到”。', message.ack.url, `（此链接只用于您本人确认这份通知，${localDateTimeString(message.ack.expiresAt)} 前有效。）`]
    : [];
  const footer = ['', '——', '东莞图书馆（文化共享工程东莞市支中心）服务助手发送。请勿直接回复本邮件；如需在聊天中办理（例如报送月报），请向市支中心索取邀请码绑定聊天账号。'];
  const text = [...body, ...closing, ...footer].join('\n');
  const html =
    '<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif;line-height:1.6">' +
    body.map((l) => `<p style="margin:0 0 6px">${escapeHtml(l)}</p>`).join('') +
    (message.ack
      ? `<p style="margin:16px 0"><a href="${escapeHtml(message.ack.url)}" style="display:inline-block;padding:8px 20px;background:#1a73e8;color:#fff;text-decoration:none;border-radius:4px">确认收到</a></p>` +
        `<p style="color:#666;font-size:13px">此链接只用于您本人确认这份通知，${escapeHtml(localDateTimeString(message.ack.expiresAt))} 前有效。打不开时请复制到浏览器：${escapeHtml(message.ack.url)}</p>`
      : '') +
    `<p style="color:#999;font-size:12px">${escapeHtml(footer[2]!)}</p></body></html>`;
  return { subject, text, html };
}
