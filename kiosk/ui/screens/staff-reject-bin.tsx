import { ScreenHeading, type ScreenProps } from './common.tsx';
import { CountForm, modeOf } from './mode-common.tsx';

/** The bin's expected count, and the clerk's honest one: a difference is written down. */
export function StaffRejectBinScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const stock = mode?.stock ?? null;
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
      <CountForm
        id="bin-counted"
        label="staffRejectBin.counted"
        record="staffRejectBin.record"
        mode={mode}
        t={t}
        onEvent={onEvent}
        onRecord={(counted) => onEvent({ type: 'REJECT_BIN_COUNTED', counted })}
      />
    </>
  );
}
