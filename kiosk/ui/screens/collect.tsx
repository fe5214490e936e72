import { CardFromSlotPicture } from '../icons/pictures.tsx';
import { collectCountdown, isIdlePromptDue, secondsLeft } from '../idle-prompt.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

export function CollectScreen({ view, t, now }: ScreenProps) {
  const countdown = collectCountdown(view);
  return (
    <>
      <ScreenHeading t={t} title="collect.title" instruction="collect.instruction" />
      <div className="screen-content">
        <CardFromSlotPicture label={t('collect.picture')} />
      </div>
      {isIdlePromptDue(countdown, now) ? (
        // Before the card is taken back: how long is left, and that it will be kept, not lost.
        <p className="countdown" role="status">
          {t('collect.retainIn', { seconds: secondsLeft(countdown, now) })}
        </p>
      ) : null}
    </>
  );
}
