import { useState } from 'react';
import type { MessageKey } from '../i18n/messages.ts';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import {
  BackHomeButton,
  DIGITS,
  Field,
  Keypad,
  LETTERS,
  modeOf,
  ResultLine,
} from './mode-common.tsx';

type FieldName = 'batch' | 'serialFirst' | 'serialLast' | 'count';
const clean = (text: string) =>
  text
    .toUpperCase()
    .replace(/[^A-Z0-9-]/g, '')
    .slice(0, 32);
const cleanCount = (text: string) => text.replace(/\D/g, '').slice(0, 5);

/** The box's label, from the scanner or typed; the host checks batch, count and room. */
function LoadForm({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const draft = mode?.load?.draft ?? null;
  const [values, setValues] = useState<Record<FieldName, string>>({
    batch: draft?.batch ?? '',
    serialFirst: draft?.serialFirst ?? '',
    serialLast: draft?.serialLast ?? '',
    count: draft?.count === null || draft?.count === undefined ? '' : String(draft.count),
  });
  const [active, setActive] = useState<FieldName>('batch');
  const [incomplete, setIncomplete] = useState(false);
  const busy = mode?.busy ?? false;
  const set = (name: FieldName, value: string) => {
    setIncomplete(false);
    setValues((v) => ({ ...v, [name]: name === 'count' ? cleanCount(value) : clean(value) }));
  };
  const field = (name: FieldName, label: MessageKey) => (
    <Field
      id={`load-${name}`}
      label={t(label)}
      value={values[name]}
      active={active === name}
      onFocus={() => setActive(name)}
      onChange={(v) => set(name, v)}
    />
  );
  const record = () => {
    const count = Number(values.count);
    if (
      !values.batch ||
      !values.serialFirst ||
      !values.serialLast ||
      !Number.isInteger(count) ||
      count < 1
    ) {
      setIncomplete(true);
      return;
    }
    onEvent({
      type: 'STOCK_LOAD',
      batch: values.batch,
      serialFirst: values.serialFirst,
      serialLast: values.serialLast,
      count,
    });
  };
  return (
    <>
      {draft ? <p className="mode-note">{t('staffLoad.scanned')}</p> : null}
      <div className="screen-content screen-content--form">
        <div className="fields">
          {field('batch', 'staffLoad.batch')}
          {field('serialFirst', 'staffLoad.first')}
          {field('serialLast', 'staffLoad.last')}
          {field('count', 'staffLoad.count')}
        </div>
        <Keypad
          keys={active === 'count' ? DIGITS : [...DIGITS, ...LETTERS, '-']}
          wide={active !== 'count'}
          label={t('mode.keyboard')}
          t={t}
          disabled={busy}
          onKey={(key) => set(active, values[active] + key)}
          onDelete={() => set(active, values[active].slice(0, -1))}
          onClear={() => set(active, '')}
        />
      </div>
      {incomplete ? (
        <p className="mode-result mode-result--problem" role="status">
          {t('staffLoad.incomplete')}
        </p>
      ) : (
        <ResultLine mode={mode} t={t} />
      )}
      <div className="actions">
        <BackHomeButton busy={busy} t={t} onEvent={onEvent} />
        <Button kind="primary" disabled={busy} onPress={record}>
          {t('staffLoad.record')}
        </Button>
      </div>
    </>
  );
}

export function StaffLoadScreen(props: ScreenProps) {
  const { view, t } = props;
  const mode = modeOf(view);
  return (
    <>
      <ScreenHeading t={t} title="staffLoad.title" instruction="staffLoad.instruction" />
      {/* A new label scanned: the form starts again from it. */}
      <LoadForm key={mode?.load?.scans ?? 0} {...props} />
    </>
  );
}
