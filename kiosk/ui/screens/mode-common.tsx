/**
 * What the staff and technician screens share: who is logged in, the answer of the last
 * operation, the on-screen keypads (the kiosk has no keyboard), and catalogue keys built from the
 * host's codes. Same rules as the resident's screens: large type and targets, one <h1>.
 */
import { useState } from 'react';
import type { ModeView, UserEvent, ViewModel } from '../../bridge/protocol.ts';
import { zhCN, type MessageKey, type Translate } from '../i18n/messages.ts';
import { Spinner } from '../icons/marks.tsx';
import { Button } from './common.tsx';

/** A key built from a host's code, if the catalogue has it (else the fallback, never a raw key). */
export function knownKey(key: string, fallback: MessageKey): MessageKey {
  return key in zhCN ? (key as MessageKey) : fallback;
}

/** "01-05 09:30": when something happened, in the kiosk's local time, short enough for a list. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function modeOf(view: ViewModel): ModeView | null {
  return view.mode ?? null;
}

export function Who({ mode, t }: { mode: ModeView | null; t: Translate }) {
  if (!mode?.role || !mode.staffId) return <p className="step" />;
  return (
    <p className="step mode-who">
      {t('mode.who', {
        role: t(mode.role === 'staff' ? 'mode.staff' : 'mode.technician'),
        staffId: mode.staffId,
      })}
    </p>
  );
}

/** The answer of the last operation: said once, politely (role="status"). */
export function ResultLine({ mode, t }: { mode: ModeView | null; t: Translate }) {
  if (mode?.busy) {
    return (
      <p className="mode-result mode-result--busy" role="status">
        <Spinner /> {t('mode.working')}
      </p>
    );
  }
  const result = mode?.result;
  if (!result) return null;
  const params: Record<string, string | number> = { ...result.params };
  return (
    <p className={`mode-result mode-result--${result.ok ? 'ok' : 'problem'}`} role="status">
      {t(knownKey(`result.${result.code}`, 'result.failed'), params)}
    </p>
  );
}

/** Keys that type into a field; `keys` are their own labels (digits, letters). */
export function Keypad(props: {
  keys: readonly string[];
  onKey: (key: string) => void;
  onDelete: () => void;
  onClear?: () => void;
  label: string;
  t: Translate;
  disabled?: boolean;
  extra?: React.ReactNode;
  wide?: boolean;
}) {
  const { keys, onKey, onDelete, onClear, label, t, disabled = false, extra, wide = false } = props;
  return (
    <div className={`keypad${wide ? ' keypad--wide' : ''}`} role="group" aria-label={label}>
      {keys.map((key) => (
        <button
          key={key}
          type="button"
          className="key"
          disabled={disabled}
          onClick={() => onKey(key)}
        >
          {key}
        </button>
      ))}
      <button type="button" className="key key--wide" disabled={disabled} onClick={onDelete}>
        {t('mode.delete')}
      </button>
      {onClear ? (
        <button type="button" className="key key--wide" disabled={disabled} onClick={onClear}>
          {t('mode.clear')}
        </button>
      ) : null}
      {extra}
    </div>
  );
}

export const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'] as const;
export const LETTERS = [...'QWERTYUIOPASDFGHJKLZXCVBNM'] as const;
export const HEX = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

/** A labelled text field the on-screen keys type into (a hardware keyboard works too). */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  active: boolean;
  onFocus: () => void;
  onChange: (value: string) => void;
  wide?: boolean;
}) {
  const { id, label, value, active, onFocus, onChange, wide = false } = props;
  return (
    <label
      className={`field${active ? ' field--active' : ''}${wide ? ' field--wide' : ''}`}
      htmlFor={id}
    >
      <span className="field-label">{label}</span>
      <input
        id={id}
        className="field-input"
        value={value}
        // No on-screen keyboard from the system: ours is on the page.
        inputMode="none"
        autoComplete="off"
        spellCheck={false}
        onFocus={onFocus}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

/** One entry of a mode's home menu: a large button that sends one event. */
export interface MenuItem {
  label: MessageKey;
  kind: 'primary' | 'secondary';
  event: UserEvent;
}

/**
 * A mode's home menu, in the order given, then "exit": every entry but exit waits while an
 * operation runs (one operation at a time on the devices and the records).
 */
export function ModeMenu(props: {
  items: readonly MenuItem[];
  busy: boolean;
  t: Translate;
  onEvent: (event: UserEvent) => void;
}) {
  const { items, busy, t, onEvent } = props;
  return (
    <div className="menu">
      {items.map((item) => (
        <Button
          key={item.label}
          kind={item.kind}
          disabled={busy}
          onPress={() => onEvent(item.event)}
        >
          {t(item.label)}
        </Button>
      ))}
      <Button kind="secondary" onPress={() => onEvent({ type: 'MODE_EXIT' })}>
        {t('mode.exit')}
      </Button>
    </div>
  );
}

/** "Back" to the mode's home page: waits, like every page's buttons, while an operation runs. */
export function BackHomeButton(props: {
  busy: boolean;
  t: Translate;
  onEvent: (event: UserEvent) => void;
}) {
  const { busy, t, onEvent } = props;
  return (
    <Button
      kind="secondary"
      disabled={busy}
      onPress={() => onEvent({ type: 'MODE_GO', to: 'home' })}
    >
      {t('mode.back')}
    </Button>
  );
}

/**
 * Cards counted by hand (the reject bin, the hopper): the number on a keypad, then "record" sends
 * it; "back" goes home. Up to five digits: no tray holds more.
 */
export function CountForm(props: {
  id: string;
  label: MessageKey;
  record: MessageKey;
  mode: ModeView | null;
  t: Translate;
  onEvent: (event: UserEvent) => void;
  onRecord: (counted: number) => void;
}) {
  const { id, label, record, mode, t, onEvent, onRecord } = props;
  const busy = mode?.busy ?? false;
  const [counted, setCounted] = useState('');
  return (
    <>
      <div className="screen-content screen-content--form">
        <div className="fields">
          <Field
            id={id}
            label={t(label)}
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
          onPress={() => onRecord(Number(counted))}
        >
          {t(record)}
        </Button>
      </div>
    </>
  );
}
