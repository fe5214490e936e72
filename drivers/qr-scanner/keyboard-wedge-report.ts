/**
 * Keyboard-wedge scanners, read as HID boot-keyboard reports through node-hid (never as
 * keystrokes into the UI: see node-hid-binding.ts on detaching the kernel driver), decoded to
 * text. For scanners that cannot be switched to HID POS.
 *
 * Boot keyboard input report (USB HID 1.11 Appendix B.1, H): modifiers, reserved, six key
 * codes; a press is a code appearing, a release its disappearing. Key codes: HID Usage Tables,
 * Keyboard/Keypad page 0x07 (H), read with a US layout, which is what scanners emulate by
 * default. Enter ends a scan.
 */

const LEFT_SHIFT = 0x02;
const RIGHT_SHIFT = 0x20;
const ENTER = [0x28, 0x58];

/** Key code → [unshifted, shifted]. */
const KEYS: Readonly<Record<number, readonly [string, string]>> = (() => {
  const keys: Record<number, readonly [string, string]> = {};
  for (let i = 0; i < 26; i++)
    keys[0x04 + i] = [String.fromCharCode(97 + i), String.fromCharCode(65 + i)];
  const digits = '1234567890';
  const shifted = '!@#$%^&*()';
  for (let i = 0; i < 10; i++) keys[0x1e + i] = [digits[i]!, shifted[i]!];
  const punctuation: [number, string, string][] = [
    [0x2b, '\t', '\t'],
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x63, '.', '.'],
  ];
  for (const [code, plain, shift] of punctuation) keys[code] = [plain, shift];
  const keypad = '1234567890';
  for (let i = 0; i < 10; i++) keys[0x59 + i] = [keypad[i]!, keypad[i]!];
  return keys;
})();

/** Characters → the key presses a wedge scanner sends (for the simulator). */
export function keyPressesFor(text: string): { modifiers: number; code: number }[] {
  const presses: { modifiers: number; code: number }[] = [];
  for (const char of text) {
    const entry = Object.entries(KEYS).find(
      ([, [plain, shift]]) => plain === char || shift === char,
    );
    if (!entry) throw new RangeError(`a keyboard wedge cannot type ${JSON.stringify(char)}`);
    const [code, [plain]] = entry;
    presses.push({ modifiers: plain === char ? 0 : LEFT_SHIFT, code: Number(code) });
  }
  presses.push({ modifiers: 0, code: ENTER[0]! });
  return presses;
}

export type WedgeEvent = { type: 'text'; text: string } | { type: 'error'; detail: string };

/**
 * Turns boot-keyboard reports into scans. Bounded: a scan longer than `maxChars` without an
 * Enter is dropped (a stuck key, or not a scanner), reported once.
 */
export class KeyboardWedgeDecoder {
  #pressed = new Set<number>();
  #text: string[] = [];
  #overflow = false;

  constructor(
    /** Numbered reports carry this id first; null for a plain boot keyboard. */
    private readonly reportId: number | null,
    private readonly maxChars: number,
  ) {}

  get pendingChars(): number {
    return this.#text.length;
  }

  /** Forgets a scan in progress (its end never came). */
  reset(): void {
    this.#text = [];
    this.#pressed.clear();
    this.#overflow = false;
  }

  push(report: Uint8Array): WedgeEvent[] {
    let body = report;
    if (this.reportId !== null) {
      if (report[0] !== this.reportId) return [];
      body = report.subarray(1);
    }
    if (body.length < 3)
      return [{ type: 'error', detail: `keyboard report of ${body.length} bytes` }];
    const modifiers = body[0]!;
    const shift = (modifiers & (LEFT_SHIFT | RIGHT_SHIFT)) !== 0;
    const now = new Set([...body.subarray(2, 8)].filter((code) => code > 0x03)); // 0–3: none / error codes
    const events: WedgeEvent[] = [];
    for (const code of now) {
      if (this.#pressed.has(code)) continue;
      if (ENTER.includes(code)) {
        if (this.#overflow)
          events.push({
            type: 'error',
            detail: `scan longer than ${this.maxChars} characters dropped`,
          });
        else if (this.#text.length > 0) events.push({ type: 'text', text: this.#text.join('') });
        this.#text = [];
        this.#overflow = false;
        continue;
      }
      const key = KEYS[code];
      if (!key || this.#overflow) continue;
      if (this.#text.length >= this.maxChars) {
        this.#overflow = true;
        this.#text = [];
        continue;
      }
      this.#text.push(key[shift ? 1 : 0]);
    }
    this.#pressed = now;
    return events;
  }
}
