import { WarningMark } from '../icons/marks.tsx';
import { Actions, Button, type ScreenProps } from './common.tsx';
import { knownKey, modeOf } from './mode-common.tsx';

/** Why the card was not let in; the card goes back to its holder. */
export function ModeRefusedScreen({ view, t, onEvent }: ScreenProps) {
  const refusal = modeOf(view)?.refusal ?? null;
  return (
    <>
      <div className="screen-heading screen-heading--problem problem-box">
        <WarningMark />
        <div className="problem-text">
          <h1>
            {t(
              refusal
                ? knownKey(`modeRefused.${refusal}.title`, 'modeRefused.title')
                : 'modeRefused.title',
            )}
          </h1>
          {refusal ? (
            <p className="advice">
              {t(knownKey(`modeRefused.${refusal}.advice`, 'modeRefused.instruction'))}
            </p>
          ) : null}
        </div>
      </div>
      <p className="instruction">{t('modeRefused.instruction')}</p>
      <Actions>
        <Button kind="primary" onPress={() => onEvent({ type: 'MODE_EXIT' })}>
          {t('mode.back')}
        </Button>
      </Actions>
    </>
  );
}
