import { useState } from 'react';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { DIGITS, modeOf } from './mode-common.tsx';

/** The longest PIN a staff card takes (drivers/staff-card/staff-card-protocol.ts PIN_RULES). */
const PIN_MAX = 12;
const PIN_MIN = 4;

/**
 * The PIN on an on-screen keypad. The digits stay in this screen's memory until "OK" sends them
 * to the host (and on to the card); the screen shows dots, and forgets them when it changes.
 */
export function ModePinScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const [pin, setPin] = useState('');
  const pinView = mode?.pin ?? null;
  const triesLeft = pinView?.triesLeft ?? null;
  return (
    <>
      <ScreenHeading t={t} title="modePin.title" instruction="modePin.instruction" />
      {triesLeft !== null ? (
        <p
          className={`mode-result mode-result--${pinView?.wrong ? 'problem' : 'note'}`}
          role="status"
        >
          {t(pinView?.wrong ? 'modePin.wrong' : 'modePin.triesLeft', { n: triesLeft })}
        </p>
      ) : null}
      <div className="screen-content screen-content--pin">
        <p className="pin-dots">
          <span aria-hidden="true">{pin.length > 0 ? '●'.repeat(pin.length) : '—'}</span>
          <span className="visually-hidden">{t('modePin.entered', { n: pin.length })}</span>
        </p>
        <div className="keypad keypad--phone" role="group" aria-label={t('mode.keypad')}>
          {DIGITS.slice(0, 9).map((digit) => (
            <button
              key={digit}
              type="button"
              className="key"
              onClick={() => setPin((p) => (p.length < PIN_MAX ? p + digit : p))}
            >
              {digit}
            </button>
          ))}
          <button
            type="button"
            className="key key--small"
            onClick={() => setPin((p) => p.slice(0, -1))}
          >
            {t('mode.delete')}
          </button>
          <button
            type="button"
            className="key"
            onClick={() => setPin((p) => (p.length < PIN_MAX ? p + '0' : p))}
          >
            0
          </button>
          <button
            type="button"
            className="key key--small key--primary"
            disabled={pin.length < PIN_MIN}
            onClick={() => {
              onEvent({ type: 'MODE_PIN', pin });
              setPin('');
            }}
          >
            {t('mode.ok')}
          </button>
        </div>
        <div className="pin-exit">
          <Button kind="secondary" onPress={() => onEvent({ type: 'MODE_EXIT' })}>
            {t('mode.exit')}
          </Button>
        </div>
      </div>
    </>
  );
}
