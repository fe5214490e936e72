/**
 * Voice guidance: which spoken prompt belongs to which view, and what it says.
 *
 * The list of prompts is derived from the protocol's screen list and failure reasons, so a screen
 * added to `screenIds` gets a clip at the next build (scripts/build.mjs → scripts/voice-clips.mjs)
 * and is covered by the tests without anyone editing them. The text is the catalogue's, so the
 * voice never says something the screen does not show.
 *
 * Imported by the UI bundle, the build (bundled by esbuild) and the tests: no DOM, no Node.
 */
import {
  failureReasons,
  languages,
  screenIds,
  type FailureReason,
  type Language,
  type ScreenId,
  type ViewModel,
} from '../../bridge/protocol.ts';
import {
  catalogues,
  failureAdviceKey,
  failureTitleKey,
  instructionKey,
  type MessageKey,
} from '../i18n/messages.ts';

type PaymentPhase = NonNullable<ViewModel['payment']>['phase'];

/**
 * Screens whose instruction changes while they show (beyond their first state, which is the
 * screen's own `<screen>.instruction`): each variant speaks `<screen>.<variant>.instruction`.
 */
export const screenVariants = {
  verifying: ['retry', 'checking'],
  payment: ['charging', 'declined', 'settling'] satisfies readonly PaymentPhase[],
  // A count of the hopper that differs from the ledger: the page asks why.
  staffCount: ['why'],
} as const satisfies Partial<Record<ScreenId, readonly string[]>>;

type Variants = typeof screenVariants;
export type VoiceVariantId = {
  [S in keyof Variants]: `${S}.${Variants[S][number]}`;
}[keyof Variants];

/**
 * One clip per screen, per screen variant, per failure reason (the failed screen says what went
 * wrong), and the idle prompt.
 */
export type VoicePromptId = ScreenId | VoiceVariantId | `failed.${FailureReason}` | 'idle';

const variantIds = Object.entries(screenVariants).flatMap(([screen, variants]) =>
  variants.map((variant) => `${screen}.${variant}` as VoiceVariantId),
);

export const voicePromptIds: readonly VoicePromptId[] = [
  ...screenIds,
  ...variantIds,
  ...failureReasons.map((reason): VoicePromptId => `failed.${reason}`),
  'idle',
];

function isVariant(id: VoicePromptId): id is VoiceVariantId {
  return (variantIds as readonly string[]).includes(id);
}

/** The template type makes a variant without its catalogue sentence a compile error. */
function variantInstructionKey(id: VoiceVariantId): MessageKey {
  const key: `${VoiceVariantId}.instruction` = `${id}.instruction`;
  return key;
}

/** The catalogue keys a prompt speaks, in order. */
export function voiceKeys(id: VoicePromptId): readonly MessageKey[] {
  if (id === 'idle') return ['idle.title', 'idle.instruction'];
  if (isVariant(id)) return [variantInstructionKey(id)];
  if (id.startsWith('failed.')) {
    const reason = id.slice('failed.'.length) as FailureReason;
    return [failureTitleKey(reason), failureAdviceKey(reason)];
  }
  const screen = id as ScreenId;
  return screen === 'failed' ? ['failed.title', 'failed.instruction'] : [instructionKey(screen)];
}

/** What the clip of `id` says in `lang`: the catalogue sentences, each ended, joined. */
export function voiceText(id: VoicePromptId, lang: Language): string {
  const catalogue = catalogues[lang];
  // A title has no full stop on screen; spoken, it needs one (or the voice runs on into the next).
  const ended = (text: string) =>
    /[。？！.?!]["”]?$/.test(text) ? text : `${text}${lang === 'zh-CN' ? '。' : '.'}`;
  return voiceKeys(id)
    .map((key) => ended(catalogue[key]))
    .join(lang === 'zh-CN' ? '' : ' ');
}

/** What of a view decides its prompt. */
export interface VoiceView {
  screen: ScreenId;
  failure: { reason: FailureReason } | null;
  payment?: { phase: PaymentPhase } | null;
  verifying?: { attempt: number; checking: boolean } | null;
  mode?: { count: unknown } | null;
}

/** The prompt for what is on screen now: the idle prompt while it shows, else the screen's. */
export function voicePromptFor(view: VoiceView, idlePromptShown: boolean): VoicePromptId {
  if (idlePromptShown) return 'idle';
  if (view.screen === 'failed' && view.failure) return `failed.${view.failure.reason}`;
  if (view.screen === 'payment' && view.payment && view.payment.phase !== 'awaitingCode') {
    return `payment.${view.payment.phase}`;
  }
  if (view.screen === 'verifying' && view.verifying) {
    if (view.verifying.checking) return 'verifying.checking';
    if (view.verifying.attempt > 1) return 'verifying.retry';
  }
  if (view.screen === 'staffCount' && view.mode?.count) return 'staffCount.why';
  return view.screen;
}

/** The clip's file name without extension: `failed.idUnreadable` → `failed-idUnreadable`. */
export function voiceFileStem(id: VoicePromptId): string {
  return id.replace('.', '-');
}

/** Where the build writes the clips, relative to dist/ui (the page's base). */
export const VOICE_DIR = 'voice';
/** The build's list of clips, relative to dist/ui. */
export const VOICE_INDEX = `${VOICE_DIR}/index.json`;

/**
 * `voice/index.json`, written by the build: for each language, each prompt's clip file (relative
 * to dist/ui). A prompt without a clip (no speech engine at build time) is simply absent.
 */
export interface VoiceIndex {
  version: 1;
  clips: Record<Language, Partial<Record<VoicePromptId, string>>>;
}

/** Checks a fetched index; anything unexpected is treated as "no clips" (the UI stays silent). */
export function parseVoiceIndex(json: unknown): VoiceIndex | null {
  if (typeof json !== 'object' || json === null) return null;
  const { version, clips } = json as { version?: unknown; clips?: unknown };
  if (version !== 1 || typeof clips !== 'object' || clips === null) return null;
  const known = new Set<string>(voicePromptIds);
  const result: VoiceIndex = { version: 1, clips: { 'zh-CN': {}, en: {} } };
  for (const lang of languages) {
    const entries = (clips as Record<string, unknown>)[lang];
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [id, file] of Object.entries(entries)) {
      // Only our own folder: the index never points the page anywhere else.
      if (known.has(id) && typeof file === 'string' && /^voice\/[\w.-]+\/[\w.-]+$/.test(file)) {
        result.clips[lang][id as VoicePromptId] = file;
      }
    }
  }
  return result;
}
