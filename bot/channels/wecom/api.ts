// WeCom's server API for a self-built application (企业内部开发): the access token, message/send and
// media/upload, over plain fetch. One client per process holds the token: it is fetched once (callers
// that need it meanwhile wait for the same request), reused until shortly before expires_in, and
// fetched again when WeCom says it expired or is invalid (42001, 40014, 40001), once per call.
import type { Logger } from 'pino';

export const WECOM_API_ROOT = 'https://qyapi.weixin.qq.com';

/** errcodes of WeCom's global error table that the adapter acts on */
export const WECOM_ERRORS = {
  tokenExpired: 42001,
  tokenInvalid: 40014,
  credentialInvalid: 40001,
  /** 接口调用超过限制: frequency limits */
  frequency: 45009,
  /** 接口并发调用超过限制 */
  concurrency: 45033,
  /** every recipient is outside the app's visible range or does not exist */
  noValidRecipient: 81013,
  /** UserID 不存在 */
  noSuchUser: 60111,
  /** 系统繁忙 */
  busy: -1,
} as const;

const TOKEN_ERRORS: readonly number[] = [WECOM_ERRORS.tokenExpired, WECOM_ERRORS.tokenInvalid, WECOM_ERRORS.credentialInvalid];
/** a token is taken as expired this long before WeCom's expires_in, so no call carries one that lapses on the way */
const TOKEN_MARGIN_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 15_000;

export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
  ) {
    super(`WeCom ${path} answered errcode ${errcode}: ${errmsg}`);
    this.name = 'WecomApiError';
  }
}

export interface WecomApiConfig {
  corpId: string;
  secret: string;
  agentId: number;
  apiRoot?: string;
}

export interface SendResult {
  /** recipients WeCom did not deliver to (lower-cased, as WeCom returns them) */
  invalidUsers: string[];
  msgid?: string;
}

export interface WecomApi {
  readonly agentId: number;
  send(message: Record<string, unknown>): Promise<SendResult>;
  uploadFile(filename: string, content: Uint8Array): Promise<string>;
  updateButton(userIds: string[], responseCode: string, replaceName: string): Promise<void>;
  /** tokens fetched since start (tests and logs) */
  tokensFetched(): number;
}

interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

export function createWecomApi(config: WecomApiConfig, log: Logger, now: () => number = Date.now): WecomApi {
  const root = (config.apiRoot ?? WECOM_API_ROOT).replace(/\/+$/, '');
  let token: { value: string; expiresAt: number } | null = null;
  let fetching: Promise<string> | null = null;
  let fetched = 0;

  async function request(path: string, init: RequestInit): Promise<WecomAnswer> {
    const response = await fetch(`${root}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!response.ok) throw new WecomApiError(-response.status, `HTTP ${response.status}`, path.split('?')[0]!);
    return (await response.json()) as WecomAnswer;
  }

  function accessToken(): Promise<string> {
    if (token && token.expiresAt > now()) return Promise.resolve(token.value);
    fetching ??= (async () => {
      try {
        const query = new URLSearchParams({ corpid: config.corpId, corpsecret: config.secret });
        const answer = await request(`/cgi-bin/gettoken?${query}`, { method: 'GET' });
        if (answer.errcode || typeof answer.access_token !== 'string') throw new WecomApiError(answer.errcode ?? -1, answer.errmsg ?? 'no access_token', '/cgi-bin/gettoken');
        const lifetimeMs = Number(answer.expires_in ?? 7200) * 1000;
        token = { value: answer.access_token, expiresAt: now() + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2) };
        fetched += 1;
        log.info({ expiresInS: answer.expires_in }, 'wecom access token fetched');
        return token.value;
      } finally {
        fetching = null;
      }
    })();
    return fetching;
  }

  /** a call with the token; a token WeCom no longer takes is dropped and the call made once more with a fresh one */
  async function call(path: string, init: () => RequestInit): Promise<WecomAnswer> {
    for (let attempt = 0; ; attempt++) {
      const used = await accessToken();
      const separator = path.includes('?') ? '&' : '?';
      const answer = await request(`${path}${separator}access_token=${encodeURIComponent(used)}`, init());
      const errcode = answer.errcode ?? 0;
      if (errcode === 0) return answer;
      if (TOKEN_ERRORS.includes(errcode) && attempt === 0) {
        log.info({ errcode, path }, 'wecom access token refused; fetching a new one');
        if (token?.value === used) token = null;
        continue;
      }
      const error = new WecomApiError(errcode, answer.errmsg ?? '', path.split('?')[0]!);
      // message/send names the recipients it refused even when the whole call failed (81013)
      Object.assign(error, { answer });
      throw error;
    }
  }

  const json = (body: unknown) => (): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  return {
    agentId: config.agentId,
    async send(message) {
      const answer = await call('/cgi-bin/message/send', json({ ...message, agentid: config.agentId }));
      const invalid = typeof answer.invaliduser === 'string' ? answer.invaliduser : '';
      return { invalidUsers: invalid.split('|').filter(Boolean).map((u) => u.toLowerCase()), ...(answer.msgid ? { msgid: String(answer.msgid) } : {}) };
    },
    async uploadFile(filename, content) {
      const answer = await call('/cgi-bin/media/upload?type=file', () => {
        const form = new FormData();
        form.append('media', new Blob([content], { type: 'application/octet-stream' }), filename);
        return { method: 'POST', body: form };
      });
      if (typeof answer.media_id !== 'string') throw new WecomApiError(-1, 'no media_id in the answer', '/cgi-bin/media/upload');
      return answer.media_id;
    },
    async updateButton(userIds, responseCode, replaceName) {
      await call('/cgi-bin/message/update_template_card', json({ userids: userIds, agentid: config.agentId, response_code: responseCode, button: { replace_name: replaceName } }));
    },
    tokensFetched: () => fetched,
  };
}
