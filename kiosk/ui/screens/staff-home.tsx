import type { ModeView } from '../../bridge/protocol.ts';
import type { Translate } from '../i18n/messages.ts';
import { ScreenHeading, type ScreenProps } from './common.tsx';
import { ModeMenu, modeOf, ResultLine } from './mode-common.tsx';

/** The figures a clerk checks before and after: hopper, reject bin, ribbon, paper, service. */
export function StockFigures({
  stock,
  t,
}: {
  stock: NonNullable<ModeView['stock']>;
  t: Translate;
}) {
  return (
    <dl className="figures">
      <div>
        <dt>{t('staffHome.hopper')}</dt>
        <dd>{t('staffHome.hopperValue', { n: stock.inHopper, capacity: stock.capacity })}</dd>
      </div>
      <div>
        <dt>{t('staffHome.bin')}</dt>
        <dd>{t('staffHome.binValue', { n: stock.binExpected })}</dd>
      </div>
      <div>
        <dt>{t('staffHome.ribbon')}</dt>
        <dd>{t('staffHome.ribbonValue', { n: stock.ribbonFaces })}</dd>
      </div>
      <div>
        <dt>{t('staffHome.paper')}</dt>
        <dd>{t(`paper.${stock.paper}`)}</dd>
      </div>
    </dl>
  );
}

export function StaffHomeScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const stock = mode?.stock ?? null;
  const busy = mode?.busy ?? false;
  const todo = mode?.todo?.count ?? 0;
  return (
    <>
      <ScreenHeading t={t} title="staffHome.title" instruction="staffHome.instruction" />
      {todo > 0 ? (
        <p className="mode-result mode-result--todo">{t('staffHome.todoCount', { n: todo })}</p>
      ) : null}
      {stock ? <StockFigures stock={stock} t={t} /> : null}
      {stock?.outOfService ? (
        <p className="mode-result mode-result--problem">
          {stock.discrepancies > 0
            ? t('staffHome.discrepancies', { n: stock.discrepancies })
            : t('staffHome.outOfService')}
        </p>
      ) : null}
      <ResultLine mode={mode} t={t} />
      {/* First: what keeps residents away, or waits for a resident, is handled here. */}
      <ModeMenu
        busy={busy}
        t={t}
        onEvent={onEvent}
        items={[
          { label: 'staffHome.todo', kind: 'primary', event: { type: 'MODE_GO', to: 'todo' } },
          { label: 'staffHome.load', kind: 'primary', event: { type: 'MODE_GO', to: 'load' } },
          {
            label: 'staffHome.rejectBin',
            kind: 'primary',
            event: { type: 'MODE_GO', to: 'rejectBin' },
          },
          {
            label: 'staffHome.count',
            kind: 'primary',
            event: { type: 'MODE_GO', to: 'count' },
          },
          {
            label: 'staffHome.consumables',
            kind: 'primary',
            event: { type: 'MODE_GO', to: 'consumables' },
          },
          {
            label: 'staffHome.printDaily',
            kind: 'secondary',
            event: { type: 'REPORT', report: 'daily', output: 'print' },
          },
          {
            label: 'staffHome.saveDaily',
            kind: 'secondary',
            event: { type: 'REPORT', report: 'daily', output: 'pdf' },
          },
        ]}
      />
    </>
  );
}
