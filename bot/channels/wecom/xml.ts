// The XML of WeCom callbacks: an outer envelope holding the ciphertext, and the decrypted message or
// event. Flat elements, CDATA text; parsed with fast-xml-parser (no entities expanded, no DTD) and
// checked with zod, so a malformed body is one clear error instead of a crash further down.
import { XMLParser, XMLBuilder } from 'fast-xml-parser';
import { z } from 'zod';

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: false, ignoreDeclaration: true });
const builder = new XMLBuilder({ cdataPropName: '__cdata', format: false });

function parseXmlRoot(text: string): Record<string, unknown> | null {
  try {
    const parsed = parser.parse(text, true) as { xml?: unknown };
    return parsed && typeof parsed.xml === 'object' && parsed.xml !== null ? (parsed.xml as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const envelopeSchema = z.object({ ToUserName: z.string().optional(), Encrypt: z.string().min(1), AgentID: z.string().optional() });

/** The ciphertext of a POSTed callback, or null when the body is not WeCom's envelope. */
export function parseEnvelope(text: string): { encrypt: string; agentId?: string } | null {
  const root = parseXmlRoot(text);
  const parsed = root ? envelopeSchema.safeParse(root) : null;
  return parsed?.success ? { encrypt: parsed.data.Encrypt, agentId: parsed.data.AgentID } : null;
}

const str = z.union([z.string(), z.number()]).transform(String);
const callbackSchema = z.object({
  ToUserName: str,
  FromUserName: str,
  CreateTime: str,
  MsgType: str,
  Content: str.optional(),
  MsgId: str.optional(),
  AgentID: str.optional(),
  Event: str.optional(),
  EventKey: str.optional(),
  TaskId: str.optional(),
  ResponseCode: str.optional(),
});

export type WecomCallback =
  | { kind: 'text'; userId: string; text: string; dedupeKey: string }
  | { kind: 'button'; userId: string; key: string; taskId: string; responseCode?: string; dedupeKey: string }
  /** pictures, voice, files, location: answered with how to write */
  | { kind: 'media'; userId: string; dedupeKey: string }
  /** entering the app, subscribing: nothing to answer */
  | { kind: 'ignored'; userId: string; what: string; dedupeKey: string };

/**
 * The decrypted message or event. WeCom retries a callback it got no answer to (3 times, 5 s apart);
 * dedupeKey names the callback across those retries: MsgId for messages, and for events, which have
 * none, the sender with the creation time and the event (WeCom's own advice).
 */
export function parseCallback(text: string): WecomCallback | null {
  const root = parseXmlRoot(text);
  const parsed = root ? callbackSchema.safeParse(root) : null;
  if (!parsed?.success) return null;
  const m = parsed.data;
  const userId = m.FromUserName;
  if (m.MsgType === 'event') {
    const dedupeKey = `${userId}:${m.CreateTime}:${m.Event ?? ''}:${m.EventKey ?? ''}`;
    if (m.Event === 'template_card_event' && m.EventKey && m.TaskId) {
      return { kind: 'button', userId, key: m.EventKey, taskId: m.TaskId, ...(m.ResponseCode ? { responseCode: m.ResponseCode } : {}), dedupeKey };
    }
    return { kind: 'ignored', userId, what: `event:${m.Event ?? '?'}`, dedupeKey };
  }
  const dedupeKey = m.MsgId ?? `${userId}:${m.CreateTime}:${m.MsgType}`;
  if (m.MsgType === 'text') return { kind: 'text', userId, text: m.Content ?? '', dedupeKey };
  return { kind: 'media', userId, dedupeKey };
}

type XmlValue = string | number | { [key: string]: XmlValue };

/** <xml> with each string in CDATA, as WeCom writes its callbacks (the stand-in and replies). */
export function buildXml(fields: Record<string, XmlValue>): string {
  const wrap = (value: XmlValue): unknown =>
    typeof value === 'string' ? { __cdata: value } : typeof value === 'number' ? value : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v)]));
  return builder.build({ xml: wrap(fields) }) as string;
}
