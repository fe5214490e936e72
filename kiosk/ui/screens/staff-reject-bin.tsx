import { useState } from 'react';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { BackHomeButton, DIGITS, Field, Keypad, modeOf, ResultLine } from './mode-common.tsx';

/** The bin's expected count, and the clerk's honest one: a difference is written down. */
export function StaffRejectBinScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const stock = mode?.stock ?? null;
  const busy = mode?.busy ?? false;
  const [counted, setCounted] = useState('');
  return (
    <>
      <ScreenHeading t={t} title="staffRejectBin.title" instruction="staffRejectBin.instruction" />
      {stock ? (
        <p className="mode-note mode-note--strong">
          {t('staffRejectBin.expected', {
            n: stock.binExpected,
            rejected: stock.rejectedSince,
            retained: stock.retainedSince,
          })}
        </p>
      ) : null}
      <p className="mode-note">{t('staffRejectBin.honest')}</p>
      <div className="screen-content screen-content--form">
        <div className="fields">
          <Field
            id="bin-counted"
            label={t('staffRejectBin.counted')}
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
          onPress={() => onEvent({ type: 'REJECT_BIN_COUNTED', counted: Number(counted) })}
        >
          {t('staffRejectBin.record')}
        </Button>
      </div>
    </>
  );
}
