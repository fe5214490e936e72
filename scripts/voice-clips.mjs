/**
 * Voice guidance clips for the resident UI, made at build time so the kiosk speaks offline.
 *
 * For every prompt (kiosk/ui/voice/prompts.ts: one per screen, one per failure reason, the idle
 * prompt) and language, in this order of preference:
 *   1. a recorded clip: <recorded>/<lang>/<stem>.(ogg|mp3|wav), copied as is — a province's own
 *      recordings replace the synthetic voice one file at a time;
 *   2. espeak-ng (zh-CN: Mandarin voice "cmn", en: "en"), converted by sox to Ogg Vorbis, mono,
 *      16 kHz (a sentence is ~30 KB), cached by text in dist/.voice-cache so unchanged prompts are
 *      not synthesised again.
 * Output: dist/ui/voice/<lang>/<stem>.<ext> and dist/ui/voice/index.json (what the UI loads).
 *
 * <recorded> is kiosk/ui/voice/recorded unless MASHANG_VOICE_DIR names another folder. Without
 * espeak-ng or sox, prompts without a recording get no clip (a warning; the UI then stays silent).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROMPTS_MODULE = 'kiosk/ui/voice/prompts.ts';
export const DEFAULT_RECORDED_DIR = 'kiosk/ui/voice/recorded';
const CACHE_DIR = 'dist/.voice-cache';
const RECORDED_EXTENSIONS = ['.ogg', '.mp3', '.wav'];

/** espeak-ng settings per language; part of the cache key, so changing one re-synthesises. */
const SYNTH = {
  // espeak-ng's Mandarin at its default speed runs ~2.5 syllables a second; a little faster is still
  // unhurried (~3 a second). English a little slower than the default, for non-native listeners.
  'zh-CN': { voice: 'cmn', wordsPerMinute: 190, pitch: 50 },
  en: { voice: 'en', wordsPerMinute: 150, pitch: 50 },
};

function commandWorks(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** Loads prompts.ts (TypeScript, imports zod) through esbuild into a module we can import. */
async function loadPrompts(root) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [PROMPTS_MODULE],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  const module = await import(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
  );
  return { prompts: module, inputs: Object.keys(result.metafile.inputs) };
}

function synthesise(root, lang, text) {
  const settings = SYNTH[lang];
  const key = createHash('sha256')
    .update(JSON.stringify({ engine: 'espeak-ng+sox/ogg16k', lang, settings, text }))
    .digest('hex')
    .slice(0, 32);
  const cached = path.join(root, CACHE_DIR, `${key}.ogg`);
  if (existsSync(cached)) return cached;
  mkdirSync(path.dirname(cached), { recursive: true });
  const wav = `${cached}.${process.pid}.wav`;
  const speak = spawnSync(
    'espeak-ng',
    [
      '-v',
      settings.voice,
      '-s',
      String(settings.wordsPerMinute),
      '-p',
      String(settings.pitch),
      '-w',
      wav,
      '--',
      text,
    ],
    { encoding: 'utf8' },
  );
  if (speak.status !== 0) throw new Error(`espeak-ng failed (${lang}): ${speak.stderr}`);
  // Mono 16 kHz Vorbis, normalised so every clip is as loud as the next; a short silence first
  // so the first syllable is not swallowed while the audio device wakes up.
  const tmp = `${cached}.${process.pid}.ogg`;
  const sox = spawnSync(
    'sox',
    [wav, '-C', '3', tmp, 'channels', '1', 'rate', '16k', 'norm', '-1', 'pad', '0.15', '0'],
    {
      encoding: 'utf8',
    },
  );
  if (sox.status !== 0) throw new Error(`sox failed (${lang}): ${sox.stderr}`);
  renameSync(tmp, cached);
  rmSync(wav, { force: true });
  return cached;
}

function recordedClip(recordedDir, lang, stem) {
  for (const extension of RECORDED_EXTENSIONS) {
    const file = path.join(recordedDir, lang, stem + extension);
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Writes the clips and the index into `${outDir}/voice`. Returns what the build manifest needs:
 * the files read (inputs, incl. the recorded folders, whose mtime changes when a file is added),
 * absent optional inputs, and the outputs.
 */
export async function buildVoiceClips({ root, outDir, log = console.log, warn = console.warn }) {
  const { prompts, inputs } = await loadPrompts(root);
  const recordedDir = path.resolve(root, process.env.MASHANG_VOICE_DIR ?? DEFAULT_RECORDED_DIR);
  const canSynthesise =
    commandWorks('espeak-ng', ['--version']) && commandWorks('sox', ['--version']);
  if (!canSynthesise) {
    warn(
      'mashang build: espeak-ng or sox is missing, so prompts without a recorded clip stay silent ' +
        '(install: apt-get install espeak-ng sox, then npm run build).',
    );
  }
  const voiceOut = path.join(outDir, prompts.VOICE_DIR);
  const index = { version: 1, clips: {} };
  const manifestInputs = [...inputs];
  const absent = [];
  let recorded = 0;
  let synthesised = 0;
  for (const lang of Object.keys(SYNTH)) {
    index.clips[lang] = {};
    const langDir = path.join(recordedDir, lang);
    if (existsSync(langDir)) manifestInputs.push(langDir);
    else absent.push(langDir);
    mkdirSync(path.join(voiceOut, lang), { recursive: true });
    for (const id of prompts.voicePromptIds) {
      const stem = prompts.voiceFileStem(id);
      let source = recordedClip(recordedDir, lang, stem);
      if (source) {
        recorded += 1;
        manifestInputs.push(source);
      } else if (canSynthesise) {
        source = synthesise(root, lang, prompts.voiceText(id, lang));
        synthesised += 1;
      } else {
        continue;
      }
      const file = `${lang}/${stem}${path.extname(source)}`;
      copyFileSync(source, path.join(voiceOut, file));
      index.clips[lang][id] = `${prompts.VOICE_DIR}/${file}`;
    }
  }
  if (existsSync(recordedDir)) manifestInputs.push(recordedDir);
  const indexFile = path.join(outDir, prompts.VOICE_INDEX);
  writeFileSync(indexFile, JSON.stringify(index, null, 1) + '\n');
  log(
    `mashang build: voice → ${path.relative(root, voiceOut)} (${recorded} recorded, ${synthesised} synthesised)`,
  );
  return { inputs: manifestInputs, absent, outputs: [indexFile] };
}

// `node scripts/voice-clips.mjs --list`: every clip and the sentence it must say (for recording).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  if (process.argv[2] !== '--list') {
    console.error(
      'usage: node scripts/voice-clips.mjs --list   (clips are built by npm run build)',
    );
    process.exit(64);
  }
  const { prompts } = await loadPrompts(root);
  for (const lang of Object.keys(SYNTH)) {
    for (const id of prompts.voicePromptIds) {
      console.log(`${lang}/${prompts.voiceFileStem(id)}\t${prompts.voiceText(id, lang)}`);
    }
  }
}
