// The WeCom adapter's pure parts, by tables: the callback crypto against the sample values in
// WeCom's documentation (加解密方案说明 / the WXBizMsgCrypt samples), the callback XML, how replies
// become WeCom messages, and how WeCom's errcodes reach the outbox.
import { describe, expect, it } from 'vitest';
import { CallbackRefused, createCallbackCrypto, isEncodingAesKey } from '../../bot/channels/wecom/crypto.ts';
import { buildXml, parseCallback, parseEnvelope } from '../../bot/channels/wecom/xml.ts';
import { fitsCard, renderReply, splitUtf8, stableTaskId, TEXT_LIMIT_BYTES } from '../../bot/channels/wecom/render.ts';
import { deliveryErrorForWecom } from '../../bot/channels/wecom.ts';
import { WecomApiError } from '../../bot/channels/wecom/api.ts';

// WeCom's documented sample app
const SAMPLE = { token: 'QDG6eK', corpId: 'wx5823bf96d3bd56c7', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const SAMPLE_ECHOSTR = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
const SAMPLE_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';

describe('callback crypto against WeCom’s documented samples', () => {
  const crypto = createCallbackCrypto(SAMPLE);

  it.each([
    ['URL verification (echostr)', '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', '1409659589', '263014780', SAMPLE_ECHOSTR],
    ['a POSTed message', '477715d11cdb4164915debcba66cb864d751f3e6', '1409659813', '1372623149', SAMPLE_ENCRYPT],
  ])('verifies the signature of %s', (_what, signature, timestamp, nonce, ciphertext) => {
    expect(crypto.sign(timestamp, nonce, ciphertext)).toBe(signature);
    expect(crypto.verify(signature, timestamp, nonce, ciphertext)).toBe(true);
    expect(crypto.verify(signature.replace(/^./, (c) => (c === '4' ? '5' : '4')), timestamp, nonce, ciphertext)).toBe(false);
    expect(crypto.verify(signature, String(Number(timestamp) + 1), nonce, ciphertext)).toBe(false);
  });

  it('decrypts the samples to what the documentation shows', () => {
    expect(crypto.open(SAMPLE_ECHOSTR)).toBe('1616140317555161061');
    const message = parseCallback(crypto.open(SAMPLE_ENCRYPT));
    expect(message).toEqual({ kind: 'text', userId: 'mycreate', text: 'hello', dedupeKey: '4561255354251345929' });
  });

  it('round-trips Chinese text and refuses what another corp or garbage carries', () => {
    expect(crypto.open(crypto.seal('<xml><Content><![CDATA[本月无新增]]></Content></xml>'))).toContain('本月无新增');
    const other = createCallbackCrypto({ ...SAMPLE, corpId: 'ww0000000000other' });
    expect(() => crypto.open(other.seal('hello'))).toThrow(CallbackRefused);
    for (const bad of ['', 'not base64 at all', Buffer.from('short').toString('base64'), Buffer.alloc(48).toString('base64')]) {
      expect(() => crypto.open(bad), bad).toThrow(CallbackRefused);
    }
  });

  it.each([
    [SAMPLE.encodingAesKey, true],
    ['jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2', false],
    ['jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C=', false],
    ['jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B-C', false],
  ])('EncodingAESKey %s is valid: %s', (key, valid) => expect(isEncodingAesKey(key)).toBe(valid));
});

describe('callback XML', () => {
  it.each([
    ['<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>', { encrypt: 'abc', agentId: '218' }],
    ['<xml><Encrypt>abc</Encrypt></xml>', { encrypt: 'abc', agentId: undefined }],
    ['<xml><ToUserName>ww1</ToUserName></xml>', null],
    ['<xml><Encrypt><![CDATA[abc]]></Encrypt', null],
    ['{"encrypt":"abc"}', null],
    ['', null],
    ['<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>', { encrypt: '&a;', agentId: undefined }],
  ])('envelope %s → %j', (body, expected) => expect(parseEnvelope(body)).toEqual(expected));

  const base = { ToUserName: 'ww1', FromUserName: 'ZhangSan', CreateTime: 1700000000, AgentID: 1000002 };
  it.each([
    [{ ...base, MsgType: 'text', Content: '本月无新增', MsgId: '123' }, { kind: 'text', userId: 'ZhangSan', text: '本月无新增', dedupeKey: '123' }],
    [{ ...base, MsgType: 'image', PicUrl: 'http://x', MediaId: 'm', MsgId: '124' }, { kind: 'media', userId: 'ZhangSan', dedupeKey: '124' }],
    [
      { ...base, MsgType: 'event', Event: 'template_card_event', EventKey: 'notice:ack:7', TaskId: 't1', ResponseCode: 'rc' },
      { kind: 'button', userId: 'ZhangSan', key: 'notice:ack:7', taskId: 't1', responseCode: 'rc', dedupeKey: 'ZhangSan:1700000000:template_card_event:notice:ack:7' },
    ],
    [{ ...base, MsgType: 'event', Event: 'enter_agent', EventKey: '' }, { kind: 'ignored', userId: 'ZhangSan', what: 'event:enter_agent', dedupeKey: 'ZhangSan:1700000000:enter_agent:' }],
  ])('message %j', (fields, expected) => expect(parseCallback(buildXml(fields as Record<string, string | number>))).toEqual(expected));

  it('refuses a decrypted body without the fields WeCom always sends', () => {
    expect(parseCallback('<xml><MsgType>text</MsgType></xml>')).toBeNull();
    expect(parseCallback('garbage')).toBeNull();
  });
});

describe('rendering replies as WeCom messages', () => {
  it('cuts text at 2048 UTF-8 bytes, at line breaks where it can, never inside a character', () => {
    const long = Array.from({ length: 400 }, (_, i) => `第${i + 1}行：服务点数据`).join('\n');
    const pieces = splitUtf8(long);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(TEXT_LIMIT_BYTES);
    expect(pieces.join('\n')).toBe(long);
    const unbroken = '镇'.repeat(1000);
    expect(splitUtf8(unbroken).join('')).toBe(unbroken);
  });

  it.each([
    [[{ label: '确认提交', value: 'report:confirm' }, { label: '修改', value: 'report:change' }], true],
    [Array.from({ length: 7 }, (_, i) => ({ label: `选项${i}`, value: `x:${i}` })), false],
    [[{ label: '这是一个超过十个字的按钮文字', value: 'x:1' }], false],
    [[], false],
  ])('choices %j fit a card: %s', (choices, fits) => expect(fitsCard(choices)).toBe(fits));

  it('sends the text first and the buttons as a card under it, and numbers what no card holds', () => {
    const short = renderReply({ text: '要提交吗？', choices: [{ label: '确认提交', value: 'report:confirm' }] }, 't1');
    expect(short.map((m) => m.msgtype)).toEqual(['text', 'template_card']);
    expect(short[1]).toMatchObject({ msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: '请选择', desc: '要提交吗？' }, task_id: 't1', button_list: [{ text: '确认提交', key: 'report:confirm' }] } });
    const long = renderReply({ text: `【资源发放通知】2026年第四季度数字资源下发到各镇街和村居服务点的安排\n${'请各服务点按时领取。'.repeat(20)}`, choices: [{ label: '收到', value: 'notice:ack:3' }] }, 't2');
    expect(long.map((m) => m.msgtype)).toEqual(['text', 'template_card']);
    const desc = (long[1] as unknown as { template_card: { main_title: { desc: string } } }).template_card.main_title.desc;
    expect([...desc]).toHaveLength(30);
    expect(desc.endsWith('…')).toBe(true);
    const many = renderReply({ text: '选哪个镇？', choices: Array.from({ length: 8 }, (_, i) => ({ label: `镇${i + 1}`, value: `t:${i}` })) }, 't3');
    expect(many.map((m) => m.msgtype)).toEqual(['text']);
    expect((many[0] as { text: { content: string } }).text.content).toContain('8. 镇8');
    const file = renderReply({ text: '', document: { filename: '月报.xlsx', content: new Uint8Array([1, 2]), caption: '2026年10月' } }, 't4');
    expect(file.map((m) => m.msgtype)).toEqual(['text', 'file']);
  });

  it('gives the same card to the same people on the same day the same task id, and others another', () => {
    const reply = { text: '通知', choices: [{ label: '收到', value: 'notice:ack:1' }] };
    expect(stableTaskId(['b', 'a'], reply, '2026-11-02')).toBe(stableTaskId(['a', 'b'], reply, '2026-11-02'));
    expect(stableTaskId(['a', 'b'], reply, '2026-11-03')).not.toBe(stableTaskId(['a', 'b'], reply, '2026-11-02'));
    expect(stableTaskId(['a'], reply, '2026-11-02')).toMatch(/^[A-Za-z0-9_@-]{1,128}$/);
  });
});

describe('WeCom errcodes as outbox outcomes', () => {
  it.each([
    [81013, 'unreachable'],
    [60111, 'unreachable'],
    [45009, 'transient'],
    [45033, 'transient'],
    [-1, 'transient'],
    [42001, 'transient'],
    [-502, 'transient'],
    [40058, 'permanent'],
    [44004, 'permanent'],
  ])('errcode %i → %s', (errcode, kind) => expect(deliveryErrorForWecom(new WecomApiError(errcode, 'x', '/cgi-bin/message/send')).kind).toBe(kind));

  it('waits a minute after a frequency limit', () => expect(deliveryErrorForWecom(new WecomApiError(45009, 'api freq out of limit', '/x')).retryAfterMs).toBe(60_000));
});
