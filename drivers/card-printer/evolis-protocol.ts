/**
 * The Evolis command set, as data. Source: Evolis Card Printers Programming Guide, P/N A5013
 * Rev. E (2003–2004), summarised in PROTOCOLS.md §3; page numbers below are that guide's.
 *
 * Confidence as in PROTOCOLS.md: H several sources, M one credible source, L inferred. The guide
 * gives the syntax and the commands (H) but rarely the exact words of a reply: every reply text
 * marked L lives only in this file, so a field test on a real printer corrects it in one place.
 */

/** Framing, guide p.4 "Communication Protocol" (H): `ESC` command `;` parameters `CR`. */
export const EVOLIS_FRAMING = {
  start: 0x1b,
  separator: 0x3b,
  end: 0x0d,
} as const;

/**
 * The commands this kiosk sends. `params` documents the parameters we use; the simulator answers
 * exactly these and `ERR CMD` to anything else.
 */
export const EVOLIS_COMMANDS = {
  /** `Rfv`: firmware version (p.31–39, H). */
  firmware: 'Rfv',
  /** `Rsn`: serial number (H). */
  serialNumber: 'Rsn',
  /** `Rtp`: printer model (H). */
  model: 'Rtp',
  /** `Rr`: ribbon type installed (H for the command, L for the reply words below). */
  ribbonType: 'Rr',
  /** `Rcr`: current ribbon — here read as panels remaining (L: the reply format is unconfirmed). */
  ribbonRemaining: 'Rcr',
  /** `Rco;<counter>`: the printer's own card counters, kept across power cycles (H for the command; L for the parameters below). */
  counters: 'Rco',
  /** `Rse;o` cover sensor, `Rse;p` card-presence sensor (M). */
  sensor: 'Rse',
  /** `Rlr;p` last answer about card presence, `Rlr;r` last error ("ERR NEED CLEANING") (M). */
  lastReply: 'Rlr',
  /** `Sk;f`: feeder empty state, p.64 (H). */
  feeder: 'Sk',
  /** `Pem;2`: the host manages errors — the printer stops and waits for us (H). */
  errorManagement: 'Pem',
  /** `Pmi;F`: cards are inserted from the feeder (H). */
  insertionMode: 'Pmi',
  /** `Ss`: start a sequence; the printer forgets the panels downloaded before (H). */
  startSequence: 'Ss',
  /** `Sis`: insert a card and stop it under the smart-card contact station (H). */
  insertToContactStation: 'Sis',
  /** `Db;<panel>;<level>;<data>`: download one panel bitmap, p.14 (H). */
  downloadPanel: 'Db',
  /** `Sr`: print the recto (front) with the panels downloaded (H). */
  printFront: 'Sr',
  /** `Se`: end the sequence and eject the card to the exit (H). */
  eject: 'Se',
  /** `Ser`: eject the card into the reject box (H). */
  ejectToRejectBox: 'Ser',
  /** `Srs`: software reset; with `Pem;2` it clears a latched error once its cause is gone (H/L). */
  reset: 'Srs',
} as const;

export type EvolisCommandName = keyof typeof EVOLIS_COMMANDS;

export const SENSOR = { cover: 'o', cardPresence: 'p' } as const;
/** `Rco` parameters (L): cards taken from the feeder, printed, dropped in the reject box. */
export const COUNTER = { fed: 'f', printed: 'p', rejected: 'r' } as const;
export const LAST_REPLY = { cardPosition: 'p', error: 'r' } as const;
export const FEEDER_QUERY = 'f';
export const HOST_MANAGES_ERRORS = '2';
export const INSERT_FROM_FEEDER = 'F';

/** `Sk;f` answers, p.64 (H). A kiosk with one feeder treats "feeder 1 empty" as empty. */
export const FEEDER_ANSWERS = {
  '0': 'notEmpty',
  '1': 'feeder1Empty',
  '2': 'feeder2Empty',
  '3': 'allEmpty',
} as const;

/** `Rse;o` / `Rse;p`: sensor level (L: the guide gives the command, not the answer's words). */
export const SENSOR_ANSWERS = { active: '1', inactive: '0' } as const;

/** `Rlr;p`: where the card is (L). Kiosk printers hold an ejected card in the exit (bezel). */
export const CARD_POSITION_ANSWERS = {
  none: 'NO CARD',
  inside: 'CARD INSIDE',
  exit: 'CARD IN EXIT',
} as const;
export type CardPosition = keyof typeof CARD_POSITION_ANSWERS;

/** `Rr` answers (L). `NONE`: no ribbon loaded. */
export const RIBBON_TYPES = ['YMCKO', 'YMCKOK', 'KO', 'K', 'NONE'] as const;
export type RibbonType = (typeof RIBBON_TYPES)[number];

/** The reply to a command that succeeded (H). */
export const REPLY_OK = 'OK';
/** Error replies start with this word (H). */
export const REPLY_ERROR_PREFIX = 'ERR';

/**
 * Error reply texts and what each means to the kiosk. The ACK/NACK protocol's codes (`1`
 * command, `2` parameter, `T` timeout/mechanical, `C` cover, `F` feeder, `R` ribbon) are H;
 * the words of the text replies are L except `ERR NEED CLEANING` (M, from `Rlr;r`).
 */
export const EVOLIS_ERRORS = {
  'ERR CMD': 'unknownCommand',
  'ERR PARAM': 'badParameter',
  'ERR TIMEOUT': 'jam',
  'ERR MECHANICAL': 'jam',
  'ERR COVER OPEN': 'coverOpen',
  'ERR FEEDER EMPTY': 'feederEmpty',
  'ERR RIBBON': 'ribbonOut',
  'ERR RIBBON TYPE': 'wrongRibbon',
  'ERR REJECT BOX FULL': 'rejectBoxFull',
  'ERR NEED CLEANING': 'cleaningDue',
  'ERR NO CARD': 'noCard',
  'ERR CARD INSIDE': 'cardInside',
} as const;
export type EvolisErrorText = keyof typeof EVOLIS_ERRORS;
export type EvolisErrorCode = (typeof EVOLIS_ERRORS)[EvolisErrorText] | 'unknown';

/**
 * Panel bit depths, `Db` p2 (p.14, H): 2 → 1 bit per dot (k and o), 32/64/128 → 5/6/7 bits per dot
 * (y, m, c). The data is always the whole 1016 × 648 card, bits concatenated MSB first; its byte
 * count derives from MONO_PANEL_BYTES (printer-templates/card-face/card-geometry.ts), which carries the guide's unexplained
 * 84 624 caveat in one place.
 */
export const PANEL_LEVELS = { '2': 1, '32': 5, '64': 6, '128': 7 } as const;
export type PanelLevel = keyof typeof PANEL_LEVELS;
export const PANELS = ['y', 'm', 'c', 'k', 'o'] as const;
export type PanelName = (typeof PANELS)[number];
/** k and o are two-level panels; the dye panels take 5, 6 or 7 bits. */
export const MONO_PANELS: readonly PanelName[] = ['k', 'o'];

/** The longest text command or reply we accept; the guide's longest is well under this. */
export const MAX_TEXT_BYTES = 256;
