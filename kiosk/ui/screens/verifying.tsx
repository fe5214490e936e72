/**
 * The live photo (identity verification): the kiosk's camera shows the resident their face in a
 * round frame; "take photo" sends one JPEG to the host, which asks the card centre to compare it
 * with the archive. The photo is personal data: it exists only in the one message that carries it
 * (never in state, storage or the console), and the camera stops when the screen goes.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { FaceCameraPicture } from '../icons/pictures.tsx';
import { Spinner } from '../icons/marks.tsx';
import { Actions, Button, ScreenHeading, type ScreenProps } from './common.tsx';

/** What the card centre's face comparison expects; ~50–150 KB as a JPEG at this quality. */
const PHOTO_WIDTH = 640;
const PHOTO_HEIGHT = 480;
const PHOTO_QUALITY = 0.85;

type CameraState = 'starting' | 'live' | 'unavailable';

/** The camera preview; `capture` is non-null once a frame can be taken. */
function useCamera(): {
  video: RefObject<HTMLVideoElement | null>;
  state: CameraState;
  capture: (() => string | null) | null;
} {
  const video = useRef<HTMLVideoElement | null>(null);
  const [state, setState] = useState<CameraState>('starting');
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    const start = async () => {
      // Absent outside a secure context; the kiosk's page on 127.0.0.1 is one.
      if (!navigator.mediaDevices) throw new Error('no camera API');
      const media = await navigator.mediaDevices.getUserMedia({
        video: {
          width: { ideal: PHOTO_WIDTH },
          height: { ideal: PHOTO_HEIGHT },
          facingMode: 'user',
        },
        audio: false,
      });
      stream = media;
      if (cancelled) return;
      const element = video.current;
      if (!element) return;
      element.srcObject = media;
      await element.play();
      if (!cancelled) setState('live');
    };
    start().catch(() => {
      // No camera, or permission refused: say so (nothing about the error is personal or useful).
      if (!cancelled) setState('unavailable');
    });
    return () => {
      cancelled = true;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);
  const capture = useCallback((): string | null => {
    const element = video.current;
    if (!element || element.videoWidth === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = PHOTO_WIDTH;
    canvas.height = PHOTO_HEIGHT;
    const context = canvas.getContext('2d');
    if (!context) return null;
    // Fill the frame (cover), centred, whatever the camera's aspect.
    const scale = Math.max(PHOTO_WIDTH / element.videoWidth, PHOTO_HEIGHT / element.videoHeight);
    const width = element.videoWidth * scale;
    const height = element.videoHeight * scale;
    context.drawImage(
      element,
      (PHOTO_WIDTH - width) / 2,
      (PHOTO_HEIGHT - height) / 2,
      width,
      height,
    );
    return canvas.toDataURL('image/jpeg', PHOTO_QUALITY);
  }, []);
  return { video, state, capture: state === 'live' ? capture : null };
}

function CameraCapture({ t, onEvent }: Pick<ScreenProps, 't' | 'onEvent'>) {
  const { video, state, capture } = useCamera();
  const take = () => {
    const photo = capture?.();
    if (photo) onEvent({ type: 'PHOTO', photo });
  };
  return (
    <>
      <div className="screen-content screen-content--camera">
        <FaceCameraPicture label={t('verifying.picture')} />
        <div className={`camera camera--${state}`}>
          {/* A live mirror of the resident, no sound track: nothing here to caption. */}
          <video
            ref={video}
            className="camera-video"
            muted
            playsInline
            aria-label={t('verifying.preview')}
          />
          <div className="camera-ring" aria-hidden="true" />
        </div>
      </div>
      {state === 'unavailable' ? (
        <p className="advice problem-note" role="alert">
          {t('verifying.cameraUnavailable')}
        </p>
      ) : null}
      <Actions>
        <Button kind="secondary" onPress={() => onEvent({ type: 'CANCEL' })}>
          {t('common.cancel')}
        </Button>
        <Button kind="primary" onPress={take} disabled={capture === null}>
          {t('verifying.take')}
        </Button>
      </Actions>
    </>
  );
}

export function VerifyingScreen({ view, t, onEvent }: ScreenProps) {
  const verifying = view.verifying;
  if (verifying?.checking) {
    return (
      <>
        <ScreenHeading
          t={t}
          title="verifying.checking.title"
          instruction="verifying.checking.instruction"
        />
        <div className="screen-content" role="status">
          <Spinner />
        </div>
      </>
    );
  }
  const retry = verifying !== null && verifying.attempt > 1;
  return (
    <>
      <ScreenHeading
        t={t}
        title="verifying.title"
        instruction={retry ? 'verifying.retry.instruction' : 'verifying.instruction'}
      />
      {retry ? (
        <p className="attempt" role="status">
          {t('verifying.attempt', { n: verifying.attempt, total: verifying.maxAttempts })}
        </p>
      ) : null}
      <CameraCapture t={t} onEvent={onEvent} />
    </>
  );
}
