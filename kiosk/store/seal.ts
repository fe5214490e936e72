/**
 * Sealing the little personal data the journal keeps for recovery: AES-256-GCM with the journal
 * key from the secrets file, a fresh 96-bit nonce per seal, and the session id as additional
 * data (a sealed row moved to another session does not open). Plaintext never reaches the disk.
 *
 * Layout: version (1 byte) ‖ nonce (12) ‖ tag (16) ‖ ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SealKey {
  readonly #key: Buffer;

  constructor(keyHex: string) {
    const key = Buffer.from(keyHex, 'hex');
    if (key.length !== 32) throw new Error('the journal key must be 32 bytes (64 hex digits)');
    this.#key = key;
  }

  seal(value: unknown, context: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), nonce, cipher.getAuthTag(), ciphertext]);
  }

  /** Throws when the blob was not sealed with this key and context (or was altered). */
  open<T>(blob: Uint8Array, context: string): T {
    const bytes = Buffer.from(blob);
    if (bytes[0] !== VERSION) throw new Error(`unknown sealed-data version ${bytes[0]}`);
    const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
    const tag = bytes.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(bytes.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plaintext.toString('utf8')) as T;
  }
}
