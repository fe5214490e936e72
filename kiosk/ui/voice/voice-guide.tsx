/**
 * Voice guidance in the page: one <audio> element playing the current prompt's shipped clip, and
 * a button to hear it again (or stop it while it plays: WCAG 1.4.2, audio that starts on its own
 * must be stoppable).
 *
 * A new prompt plays as soon as it is due — also when the screen changed because of a device
 * (the kiosk shell lets pages play sound without a tap). Where a browser refuses that (a plain
 * browser without the kiosk's autoplay switch), the clip waits for the "hear it again" button.
 */
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import type { Language } from '../../bridge/protocol.ts';
import type { Translate } from '../i18n/messages.ts';
import { parseVoiceIndex, VOICE_INDEX, type VoiceIndex, type VoicePromptId } from './prompts.ts';

/**
 * The build's clip list, fetched once from the host (same origin). Null until loaded, when voice
 * is off, or when there are no clips (an unbuilt voice folder is not an error: the kiosk is silent).
 */
export function useVoiceIndex(enabled: boolean): VoiceIndex | null {
  const [index, setIndex] = useState<VoiceIndex | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    fetch(VOICE_INDEX, { cache: 'no-store' })
      .then((response) => (response.ok ? response.json() : null))
      .then((json: unknown) => {
        if (!cancelled) setIndex(parseVoiceIndex(json));
      })
      .catch(() => {
        // No index: no voice. Nothing personal to log, and nothing the resident can do about it.
      });
    return () => {
      cancelled = true;
    };
  }, [enabled]);
  return enabled ? index : null;
}

/** The clip URL of a prompt, relative to the page, or null when the build has none. */
export function clipUrl(
  index: VoiceIndex | null,
  lang: Language,
  id: VoicePromptId,
): string | null {
  return index?.clips[lang][id] ?? null;
}

/** What the player is doing; exposed as `data-voice-state` for the end-to-end test. */
export type VoiceState = 'loading' | 'playing' | 'ended' | 'stopped' | 'blocked' | 'error';

export interface Voice {
  /** The <audio> element to render (null when there is nothing to play). */
  element: ReactElement | null;
  /** Whether a clip is playing now (the button then offers "stop"). */
  playing: boolean;
  /** Null when there is no clip: the button is not shown. */
  toggle: (() => void) | null;
}

/**
 * Plays `src` whenever it changes (a new prompt), from the start; `toggle` stops a playing clip
 * or plays it again from the start. With `repeatEveryMs`, a clip that played to its end plays
 * again after that long, for as long as the prompt stays (an ID card left on the reader: the
 * resident may be walking away). A clip the resident stopped is not repeated.
 */
export function useVoice(src: string | null, promptId: VoicePromptId, repeatEveryMs: number | null = null): Voice {
  const audio = useRef<HTMLAudioElement | null>(null);
  const [state, setState] = useState<VoiceState>('loading');
  // Bumped by "hear it again": replays the same clip.
  const [round, setRound] = useState(0);

  useEffect(() => {
    const element = audio.current;
    if (!element || src === null) return;
    setState('loading');
    element.currentTime = 0;
    element.play().catch((error: unknown) => {
      // NotAllowedError: the browser wants a tap first. Anything else: the clip failed to load.
      setState(
        error instanceof DOMException && error.name === 'NotAllowedError' ? 'blocked' : 'error',
      );
    });
    return () => element.pause();
  }, [src, round]);

  useEffect(() => {
    if (repeatEveryMs === null || state !== 'ended' || src === null) return;
    const timer = setTimeout(() => setRound((n) => n + 1), repeatEveryMs);
    return () => clearTimeout(timer);
  }, [repeatEveryMs, state, src]);

  const playing = state === 'playing';
  const toggle = useCallback(() => {
    if (playing) {
      audio.current?.pause();
      setState('stopped');
    } else {
      setRound((n) => n + 1);
    }
  }, [playing]);

  if (src === null) return { element: null, playing: false, toggle: null };
  return {
    element: (
      <audio
        // A fresh element per prompt: nothing of the previous clip keeps playing or reporting.
        key={src}
        ref={audio}
        src={src}
        preload="auto"
        data-voice={promptId}
        data-voice-state={state}
        onPlaying={() => setState('playing')}
        onEnded={() => setState('ended')}
        onError={() => setState('error')}
      />
    ),
    playing,
    toggle,
  };
}

function SpeakerMark({ playing }: { playing: boolean }) {
  return (
    <svg className="mark mark--voice" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M4 12 h6 l8 -7 v22 l-8 -7 h-6 z" className="mark-voice-speaker" />
      {playing ? (
        <rect x="21" y="11" width="10" height="10" rx="1.5" className="mark-voice-stop" />
      ) : (
        <>
          <path d="M22 11 q4 5 0 10" className="mark-voice-wave" />
          <path d="M25.5 7.5 q7 8.5 0 17" className="mark-voice-wave" />
        </>
      )}
    </svg>
  );
}

/** "再听一遍 / Hear it again", or "停止朗读 / Stop" while the clip plays. */
export function VoiceButton(props: { voice: Voice; t: Translate; className?: string }) {
  const { voice, t, className = '' } = props;
  if (!voice.toggle) return null;
  return (
    <button type="button" className={`btn btn--voice ${className}`} onClick={voice.toggle}>
      <SpeakerMark playing={voice.playing} />
      {voice.playing ? t('voice.stop') : t('voice.repeat')}
    </button>
  );
}
