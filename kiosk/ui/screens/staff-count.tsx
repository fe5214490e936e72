import { useState } from 'react';
import { countReasons } from '../../bridge/protocol.ts';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { BackHomeButton, DIGITS, Field, Keypad, modeOf, ResultLine } from './mode-common.tsx';

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
  const [counted, setCounted] = useState('');

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
      <div className="screen-content screen-content--form">
        <div className="fields">
          <Field
            id="hopper-counted"
            label={t('staffCount.counted')}
            value={counted}
            active
            onFocus={() => {}}
            onChange={(v) => setCounted(v.replace(/\D/g, '').slice(0, 5))}
          />
        </div>
        <Keypad
          keys={DIGITS}
          label={t('mode.keypad')}
          t={t}
          disabled={busy}
          onKey={(digit) => setCounted((c) => (c.length < 5 ? c + digit : c))}
          onDelete={() => setCounted((c) => c.slice(0, -1))}
        />
      </div>
      <ResultLine mode={mode} t={t} />
      <div className="actions">
        <BackHomeButton busy={busy} t={t} onEvent={onEvent} />
        <Button
          kind="primary"
          disabled={busy || counted === ''}
          onPress={() => onEvent({ type: 'HOPPER_COUNTED', counted: Number(counted) })}
        >
          {t('staffCount.record')}
        </Button>
      </div>
    </>
  );
}
