/** Types of scripts/voice-clips.mjs (plain JS: the build runs before anything is compiled). */
export const PROMPTS_MODULE: string;
export const DEFAULT_RECORDED_DIR: string;

export interface VoiceBuildResult {
  /** Files and folders read (recorded clips and their folders, the prompts' sources). */
  inputs: string[];
  /** Optional inputs that were absent (a recorded-clip folder not created yet). */
  absent: string[];
  /** What was written (the index). */
  outputs: string[];
}

export function buildVoiceClips(options: {
  root: string;
  outDir: string;
  log?: (message: string) => void;
  warn?: (message: string) => void;
}): Promise<VoiceBuildResult>;
