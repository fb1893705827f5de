// WeCom's callback security (加解密方案): a SHA-1 signature over the sorted token, timestamp, nonce
// and ciphertext, and AES-256-CBC with the key and IV from EncodingAESKey, PKCS#7 padded to 32 bytes,
// the plaintext being random(16) + length(4, big-endian) + message + CorpID. The cipher itself is
// WeCom's own library (@wecom/crypto); here are the checks it leaves to its caller: a constant-time
// signature comparison, a plaintext whose length field fits, and the CorpID it was meant for.
import { timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

export class CallbackRefused extends Error {
  constructor(
    readonly reason: 'signature' | 'decrypt' | 'receiver' | 'stale' | 'xml' | 'size',
    message: string,
  ) {
    super(message);
    this.name = 'CallbackRefused';
  }
}

export interface CallbackCrypto {
  /** the signature WeCom would send for this ciphertext */
  sign(timestamp: string, nonce: string, ciphertext: string): string;
  /** true when msg_signature matches; compared in constant time */
  verify(signature: string, timestamp: string, nonce: string, ciphertext: string): boolean;
  /** the message inside a verified ciphertext; throws CallbackRefused when it is not for this corp */
  open(ciphertext: string): string;
  /** a ciphertext of message for this corp (the stand-in's side, and passive replies) */
  seal(message: string): string;
}

/** EncodingAESKey: 43 characters of base64 without the trailing '=' (32 bytes of key). */
export function isEncodingAesKey(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}$/.test(value) && Buffer.from(`${value}=`, 'base64').length === 32;
}

export function createCallbackCrypto(options: { token: string; encodingAesKey: string; corpId: string }): CallbackCrypto {
  const { token, encodingAesKey, corpId } = options;
  if (!isEncodingAesKey(encodingAesKey)) throw new Error('EncodingAESKey must be 43 base64 characters');
  const sign = (timestamp: string, nonce: string, ciphertext: string) => getSignature(token, timestamp, nonce, ciphertext);
  return {
    sign,
    verify(signature, timestamp, nonce, ciphertext) {
      const expected = Buffer.from(sign(timestamp, nonce, ciphertext), 'utf8');
      const given = Buffer.from(signature.toLowerCase(), 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    open(ciphertext) {
      let opened: { message: string; id: string };
      try {
        // a ciphertext that is not a whole number of blocks, or whose length field points past the end, throws or yields garbage
        const raw = Buffer.from(ciphertext, 'base64');
        if (raw.length === 0 || raw.length % 32 !== 0) throw new Error(`ciphertext of ${raw.length} bytes is not whole 32-byte blocks`);
        opened = decrypt(encodingAesKey, ciphertext);
      } catch (error) {
        throw new CallbackRefused('decrypt', `callback could not be decrypted: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (opened.id !== corpId) throw new CallbackRefused('receiver', 'callback was encrypted for another CorpID');
      return opened.message;
    },
    seal: (message) => encrypt(encodingAesKey, message, corpId),
  };
}
