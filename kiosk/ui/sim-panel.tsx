/**
 * Simulator panel: only when the host runs on simulated devices (view.simulation non-null).
 * Deliberately not part of the resident UI: separate strip, bilingual whatever the language.
 */
import type { SimAction, ViewModel } from '../bridge/protocol.ts';
import { catalogues, type MessageKey } from './i18n/messages.ts';

function both(key: MessageKey): string {
  return `${catalogues['zh-CN'][key]} / ${catalogues.en[key]}`;
}

export function SimPanel(props: {
  simulation: NonNullable<ViewModel['simulation']>;
  onSim: (action: SimAction) => void;
}) {
  const { simulation, onSim } = props;
  const title = both('sim.title');
  return (
    <aside className="sim" aria-label={title}>
      <h2 className="sim-title">{title}</h2>
      <ul className="sim-status">
        <li>{both(simulation.idCardOnReader ? 'sim.idOnReader' : 'sim.idNotOnReader')}</li>
        <li>{both(simulation.cardAtExit ? 'sim.cardAtExit' : 'sim.noCardAtExit')}</li>
      </ul>
      <div className="sim-buttons">
        <button
          type="button"
          className="btn btn--sim"
          disabled={simulation.idCardOnReader}
          onClick={() => onSim({ action: 'placeIdCard' })}
        >
          {both('sim.placeIdCard')}
        </button>
        <button
          type="button"
          className="btn btn--sim"
          disabled={!simulation.idCardOnReader}
          onClick={() => onSim({ action: 'removeIdCard' })}
        >
          {both('sim.removeIdCard')}
        </button>
        <button
          type="button"
          className="btn btn--sim"
          disabled={!simulation.cardAtExit}
          onClick={() => onSim({ action: 'takeCard' })}
        >
          {both('sim.takeCard')}
        </button>
        {/* The simulated wallet: the host ignores a code while it is not waiting for one. */}
        <button
          type="button"
          className="btn btn--sim"
          onClick={() => onSim({ action: 'scanPaymentCode', code: 'paid' })}
        >
          {both('sim.scanPaid')}
        </button>
        <button
          type="button"
          className="btn btn--sim"
          onClick={() => onSim({ action: 'scanPaymentCode', code: 'insufficientFunds' })}
        >
          {both('sim.scanDeclined')}
        </button>
      </div>
    </aside>
  );
}
