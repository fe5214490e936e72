import type { MessageKey } from '../i18n/messages.ts';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { BackHomeButton, modeOf, ResultLine } from './mode-common.tsx';

const RIBBON_STEPS = {
  remove: {
    text: 'staffConsumables.step.remove',
    button: 'staffConsumables.removed',
    event: 'removed',
  },
  dispose: {
    text: 'staffConsumables.step.dispose',
    button: 'staffConsumables.disposed',
    event: 'disposed',
  },
  fit: { text: 'staffConsumables.step.fit', button: 'staffConsumables.fitted', event: 'fitted' },
} as const satisfies Record<string, { text: MessageKey; button: MessageKey; event: string }>;

/** New paper; the ribbon out, destroyed and replaced — one confirmed step at a time. */
export function StaffConsumablesScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const stock = mode?.stock ?? null;
  const busy = mode?.busy ?? false;
  const step = RIBBON_STEPS[mode?.ribbonStep ?? 'remove'];
  return (
    <>
      <ScreenHeading
        t={t}
        title="staffConsumables.title"
        instruction="staffConsumables.instruction"
      />
      <div className="screen-content screen-content--panels">
        <section className="panel" aria-label={t('staffHome.paper')}>
          <p>{t('staffConsumables.paper', { state: t(`paper.${stock?.paper ?? 'unknown'}`) })}</p>
          <Button
            kind="primary"
            disabled={busy}
            onPress={() => onEvent({ type: 'PAPER_REPLACED' })}
          >
            {t('staffConsumables.paperDone')}
          </Button>
        </section>
        <section className="panel" aria-label={t('staffHome.ribbon')}>
          <p>{t('staffConsumables.ribbon', { n: stock?.ribbonFaces ?? 0 })}</p>
          <p className="mode-warning">{t('staffConsumables.ribbonWarning')}</p>
          <p className="mode-note--strong">{t(step.text)}</p>
          <Button
            kind="primary"
            disabled={busy}
            onPress={() => onEvent({ type: 'RIBBON_STEP', step: step.event })}
          >
            {t(step.button)}
          </Button>
        </section>
      </div>
      <ResultLine mode={mode} t={t} />
      <div className="actions">
        <BackHomeButton busy={busy} t={t} onEvent={onEvent} />
      </div>
    </>
  );
}
