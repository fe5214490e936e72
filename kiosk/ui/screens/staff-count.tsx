import { countReasons } from '../../bridge/protocol.ts';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { CountForm, modeOf, ResultLine } from './mode-common.tsx';

/**
 * The blanks in the hopper, taken out, counted and put back: the clerk types the count. When it
 * differs from the ledger, the page says both numbers and asks why — a few preset reasons, no
 * typing on a touchscreen; the one picked corrects the records to the count. "Cancel" leaves the
 * difference open on "things to handle". The host decides; this screen only asks.
 */
export function StaffCountScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const stock = mode?.stock ?? null;
  const busy = mode?.busy ?? false;
  const differs = mode?.count ?? null;

  if (differs) {
    return (
      <>
        <ScreenHeading t={t} title="staffCount.title" instruction="staffCount.why.instruction" />
        <section className="todo-ask" aria-labelledby="count-differs">
          <p id="count-differs" className="mode-note--strong">
            {t('staffCount.differs', { counted: differs.counted, ledger: differs.ledger })}
          </p>
          <div className="todo-choices">
            {countReasons.map((reason) => (
              <Button
                key={reason}
                kind="primary"
                disabled={busy}
                onPress={() => onEvent({ type: 'HOPPER_CORRECT', reason })}
              >
                {t(`countReason.${reason}`)}
              </Button>
            ))}
            <Button
              kind="secondary"
              disabled={busy}
              onPress={() => onEvent({ type: 'MODE_GO', to: 'home' })}
            >
              {t('staffCount.cancel')}
            </Button>
          </div>
        </section>
        <p className="mode-note">{t('staffCount.cancelNote')}</p>
        <ResultLine mode={mode} t={t} />
      </>
    );
  }

  return (
    <>
      <ScreenHeading t={t} title="staffCount.title" instruction="staffCount.instruction" />
      {stock ? (
        <p className="mode-note mode-note--strong">
          {t('staffCount.expected', { n: stock.inHopper })}
        </p>
      ) : null}
      <p className="mode-note">{t('staffCount.honest')}</p>
      <CountForm
        id="hopper-counted"
        label="staffCount.counted"
        record="staffCount.record"
        mode={mode}
        t={t}
        onEvent={onEvent}
        onRecord={(counted) => onEvent({ type: 'HOPPER_COUNTED', counted })}
      />
    </>
  );
}
