import { useState } from 'react';
import { ScreenHeading, type ScreenProps } from './common.tsx';
import { BackHomeButton, DIGITS, Field, HEX, Keypad, modeOf } from './mode-common.tsx';

/** Hex APDUs to the card in a reader; the host masks a PIN in what it shows and records. */
export function TechnicianApduScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const busy = mode?.busy ?? false;
  const readers = mode?.apdu?.readers ?? [];
  const exchanges = mode?.apdu?.exchanges ?? [];
  const usable = readers.filter((r) => r.role !== null);
  const [reader, setReader] = useState<string>(
    usable.find((r) => r.card)?.name ?? usable[0]?.name ?? '',
  );
  const [command, setCommand] = useState('');
  const clean = (text: string) =>
    text
      .toUpperCase()
      .replace(/[^0-9A-F ;]/g, '')
      .slice(0, 600);
  const bytes = command.replace(/[\s;]/g, '');
  const sendable = reader !== '' && bytes.length >= 8 && bytes.length % 2 === 0;
  return (
    <>
      <ScreenHeading t={t} title="technicianApdu.title" instruction="technicianApdu.instruction" />
      <div className="readers" role="group" aria-label={t('technicianApdu.readers')}>
        {usable.map((r) => (
          <button
            key={r.name}
            type="button"
            className={`btn btn--secondary btn--reader${r.name === reader ? ' btn--chosen' : ''}`}
            aria-pressed={r.name === reader}
            onClick={() => setReader(r.name)}
          >
            {r.name} · {t(r.card ? 'technicianApdu.card' : 'technicianApdu.noCard')}
          </button>
        ))}
      </div>
      <div className="screen-content screen-content--form">
        <div className="fields">
          <Field
            id="apdu-command"
            label={t('technicianApdu.command')}
            value={command}
            active
            wide
            onFocus={() => {}}
            onChange={(v) => setCommand(clean(v))}
          />
        </div>
        <Keypad
          keys={[...DIGITS, ...HEX, ';']}
          label={t('mode.keyboard')}
          t={t}
          disabled={busy}
          onKey={(key) => setCommand((c) => clean(c + key))}
          onDelete={() => setCommand((c) => c.slice(0, -1))}
          onClear={() => setCommand('')}
          extra={
            <button
              type="button"
              className="key key--wide key--primary"
              disabled={busy || !sendable}
              onClick={() =>
                onEvent({ type: 'APDU', reader, command: command.replace(/\s+/g, '') })
              }
            >
              {t('technicianApdu.send')}
            </button>
          }
        />
      </div>
      <section className="exchanges" aria-label={t('technicianApdu.history')}>
        {exchanges.length === 0 ? (
          <p className="mode-note">{t('technicianApdu.none')}</p>
        ) : (
          <ol>
            {exchanges.slice(-3).map((e, i) => (
              <li key={i} className={e.ok ? 'exchange' : 'exchange exchange--problem'}>
                <span className="apdu">&gt; {e.command}</span>
                <span className="apdu">&lt; {e.response}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      <div className="actions">
        <BackHomeButton busy={busy} t={t} onEvent={onEvent} />
      </div>
    </>
  );
}
