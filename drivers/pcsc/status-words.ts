/**
 * Status words SW1 SW2, explained like HTTP codes. Source: ISO/IEC 7816-4:2013 §5.6, table 6
 * ("SW1-SW2 interpretation"); the ranges (61xx, 63Cx, 6Cxx) are read with their parameter.
 */

/** Named status words the kiosk tells apart. */
export const SW = {
  /** 9000: normal processing. */
  OK: 0x9000,
  /** 6281: part of the returned data may be corrupted. */
  DATA_MAY_BE_CORRUPTED: 0x6281,
  /** 6282: end of file or record reached before Le bytes were read. */
  END_OF_RECORD: 0x6282,
  /** 6283: the selected file is deactivated (an invalidated card). */
  FILE_DEACTIVATED: 0x6283,
  /** 6300: verification failed, no counter given. */
  VERIFICATION_FAILED: 0x6300,
  /** 6581: memory failure (an EEPROM write did not take). */
  MEMORY_FAILURE: 0x6581,
  /** 6700: wrong length (Lc or Le). */
  WRONG_LENGTH: 0x6700,
  /** 6883: the last command of a chain was expected. */
  LAST_COMMAND_EXPECTED: 0x6883,
  /** 6884: command chaining not supported. */
  CHAINING_NOT_SUPPORTED: 0x6884,
  /** 6981: command incompatible with the file structure. */
  INCOMPATIBLE_FILE_STRUCTURE: 0x6981,
  /** 6982: security status not satisfied (write before authentication, key use before PIN). */
  SECURITY_NOT_SATISFIED: 0x6982,
  /** 6983: authentication method blocked (PIN or key locked). */
  BLOCKED: 0x6983,
  /** 6984: reference data not usable. */
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  /** 6985: conditions of use not satisfied (e.g. no challenge asked before the cryptogram). */
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** 6986: command not allowed (no current EF). */
  COMMAND_NOT_ALLOWED: 0x6986,
  /** 6A80: incorrect parameters in the data field. */
  WRONG_DATA: 0x6a80,
  /** 6A81: function not supported. */
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  /** 6A82: the file or application is not on the card. */
  FILE_NOT_FOUND: 0x6a82,
  /** 6A83: record not found. */
  RECORD_NOT_FOUND: 0x6a83,
  /** 6A84: not enough memory space in the file. */
  NOT_ENOUGH_MEMORY: 0x6a84,
  /** 6A86: incorrect parameters P1-P2. */
  WRONG_P1P2: 0x6a86,
  /** 6A88: referenced data (key, PIN) not found. */
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  /** 6B00: wrong parameters P1-P2 (offset outside the EF). */
  WRONG_PARAMETERS: 0x6b00,
  /** 6D00: instruction not supported. */
  INS_NOT_SUPPORTED: 0x6d00,
  /** 6E00: class not supported. */
  CLA_NOT_SUPPORTED: 0x6e00,
  /** 6F00: no precise diagnosis (often a card OS exception). */
  NO_DIAGNOSIS: 0x6f00,
} as const;

/** SW1 values that carry a parameter in SW2. */
export const SW1 = {
  /** 61xx: xx more response bytes are waiting; fetch them with GET RESPONSE (T=0, ISO 7816-3 §10.3.3). */
  MORE_DATA: 0x61,
  /** 6Cxx: wrong Le; xx is the exact length: resend the command with Le = xx. */
  WRONG_LE: 0x6c,
} as const;

const MEANING: Record<number, string> = {
  [SW.OK]: 'ok',
  [SW.DATA_MAY_BE_CORRUPTED]: 'part of the returned data may be corrupted',
  [SW.END_OF_RECORD]: 'end of file or record reached before Le bytes',
  [SW.FILE_DEACTIVATED]: 'selected file deactivated',
  [SW.VERIFICATION_FAILED]: 'verification failed',
  [SW.MEMORY_FAILURE]: 'memory failure',
  [SW.WRONG_LENGTH]: 'wrong length',
  [SW.LAST_COMMAND_EXPECTED]: 'last command of the chain expected',
  [SW.CHAINING_NOT_SUPPORTED]: 'command chaining not supported',
  [SW.INCOMPATIBLE_FILE_STRUCTURE]: 'command incompatible with file structure',
  [SW.SECURITY_NOT_SATISFIED]: 'security status not satisfied',
  [SW.BLOCKED]: 'authentication method blocked',
  [SW.REFERENCE_DATA_NOT_USABLE]: 'reference data not usable',
  [SW.CONDITIONS_NOT_SATISFIED]: 'conditions of use not satisfied',
  [SW.COMMAND_NOT_ALLOWED]: 'command not allowed (no current EF)',
  [SW.WRONG_DATA]: 'incorrect data field',
  [SW.FUNCTION_NOT_SUPPORTED]: 'function not supported',
  [SW.FILE_NOT_FOUND]: 'file or application not found',
  [SW.RECORD_NOT_FOUND]: 'record not found',
  [SW.NOT_ENOUGH_MEMORY]: 'not enough memory in the file',
  [SW.WRONG_P1P2]: 'incorrect parameters P1-P2',
  [SW.REFERENCED_DATA_NOT_FOUND]: 'referenced data not found',
  [SW.WRONG_PARAMETERS]: 'wrong parameters P1-P2',
  [SW.INS_NOT_SUPPORTED]: 'instruction not supported',
  [SW.CLA_NOT_SUPPORTED]: 'class not supported',
  [SW.NO_DIAGNOSIS]: 'no precise diagnosis',
};

/** A status word with what it means; `triesLeft` for 63Cx, `available` for 61xx and 6Cxx. */
export interface StatusWord {
  sw: number;
  /** Four hex digits, upper case: how technicians and specifications write it. */
  hex: string;
  meaning: string;
  triesLeft?: number;
  available?: number;
}

export function describeStatusWord(sw: number): StatusWord {
  const hex = (sw & 0xffff).toString(16).toUpperCase().padStart(4, '0');
  const sw1 = (sw >> 8) & 0xff;
  const sw2 = sw & 0xff;
  const known = MEANING[sw];
  if (known) return { sw, hex, meaning: known };
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) {
    const triesLeft = sw2 & 0x0f;
    return {
      sw,
      hex,
      meaning: `verification failed, ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left`,
      triesLeft,
    };
  }
  if (sw1 === SW1.MORE_DATA)
    return {
      sw,
      hex,
      meaning: `${sw2 || 256} more response bytes available`,
      available: sw2 || 256,
    };
  if (sw1 === SW1.WRONG_LE)
    return { sw, hex, meaning: `wrong Le, exact length is ${sw2 || 256}`, available: sw2 || 256 };
  if (sw1 === 0x62 || sw1 === 0x63)
    return { sw, hex, meaning: 'warning, non-volatile memory state changed or unchanged' };
  if (sw1 === 0x64 || sw1 === 0x65 || sw1 === 0x66) return { sw, hex, meaning: 'execution error' };
  if (sw1 >= 0x67 && sw1 <= 0x6f) return { sw, hex, meaning: 'checking error' };
  return { sw, hex, meaning: 'not an ISO 7816-4 status word' };
}

/** A status word the caller did not expect, as a typed value: which command, which SW, what it means. */
export interface StatusWordError extends StatusWord {
  kind: 'statusWord';
  /** The command's name (`SELECT`, `VERIFY`, …), never its data. */
  command: string;
}

export function statusWordError(command: string, sw: number): StatusWordError {
  return { kind: 'statusWord', command, ...describeStatusWord(sw) };
}
