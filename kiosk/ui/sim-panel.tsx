/**
 * Simulator panel: only when the host runs on simulated devices (view.simulation non-null).
 * Deliberately not part of the resident UI: separate strip, bilingual whatever the language.
 */
import { useState } from 'react';
import { simDeviceFaults, simStaffCardKinds, type SimAction, type SimFaultDevice, type ViewModel } from '../bridge/protocol.ts';
import { catalogues, formatMessage, type MessageKey, type MessageParams } from './i18n/messages.ts';

function both(key: MessageKey, params?: MessageParams): string {
  return `${formatMessage(catalogues['zh-CN'][key], params)} / ${formatMessage(catalogues.en[key], params)}`;
}

/** The staff card in a sentence, in each language. */
function cardWords(kind: string): { zh: string; en: string } {
  const key = `sim.card.${kind}` as MessageKey;
  return { zh: catalogues['zh-CN'][key] ?? kind, en: catalogues.en[key] ?? kind };
}

function withCard(key: MessageKey, kind: string): string {
  const card = cardWords(kind);
  return `${formatMessage(catalogues['zh-CN'][key], { kind: card.zh })} / ${formatMessage(catalogues.en[key], { kind: card.en })}`;
}

/**
 * Staff cards, a box label, and the faults a person or wear brings to the devices: so anyone can
 * see every staff, technician and out-of-service screen without hardware. Folded away by default,
 * so the resident's strip stays small.
 */
function MoreSimulation(props: { simulation: NonNullable<ViewModel['simulation']>; onSim: (action: SimAction) => void; done: () => void }) {
  const { simulation, done } = props;
  // One action, then the strip folds again: it must not squeeze the screen it stands beside.
  const onSim = (action: SimAction) => {
    props.onSim(action);
    done();
  };
  const inserted = simulation.staffCard ?? null;
  return (
    <>
      <ul className="sim-status">
        <li>{inserted ? withCard('sim.staffCardIn', inserted) : both('sim.noStaffCard')}</li>
        {(simulation.faults ?? []).length > 0 ? <li>{both('sim.faults', { faults: (simulation.faults ?? []).join(', ') })}</li> : null}
      </ul>
      <div className="sim-buttons">
        {simStaffCardKinds.map((kind) => (
          <button
            key={kind}
            type="button"
            className="btn btn--sim"
            disabled={inserted !== null}
            onClick={() => onSim({ action: 'placeStaffCard', kind })}
          >
            {withCard('sim.placeStaffCard', kind)}
          </button>
        ))}
        <button type="button" className="btn btn--sim" disabled={inserted === null} onClick={() => onSim({ action: 'removeStaffCard' })}>
          {both('sim.removeStaffCard')}
        </button>
        <button type="button" className="btn btn--sim" onClick={() => onSim({ action: 'scanBoxLabel' })}>
          {both('sim.scanBoxLabel')}
        </button>
        {(Object.keys(simDeviceFaults) as SimFaultDevice[]).flatMap((device) =>
          simDeviceFaults[device].map((fault) => (
            <button
              key={`${device}:${fault}`}
              type="button"
              className="btn btn--sim"
              disabled={(simulation.faults ?? []).includes(`${device}:${fault}`)}
              onClick={() => onSim({ action: 'deviceFault', device, fault })}
            >
              {both(`sim.fault.${device}.${fault}` as MessageKey)}
            </button>
          )),
        )}
        <button type="button" className="btn btn--sim" onClick={() => onSim({ action: 'clearFaults' })}>
          {both('sim.clearFaults')}
        </button>
      </div>
    </>
  );
}

export function SimPanel(props: {
  simulation: NonNullable<ViewModel['simulation']>;
  onSim: (action: SimAction) => void;
}) {
  const { simulation, onSim } = props;
  const title = both('sim.title');
  const [more, setMore] = useState(false);
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
        <button type="button" className="btn btn--sim" aria-expanded={more} onClick={() => setMore((m) => !m)}>
          {both(more ? 'sim.less' : 'sim.more')}
        </button>
      </div>
      {more ? <MoreSimulation simulation={simulation} onSim={onSim} done={() => setMore(false)} /> : null}
    </aside>
  );
}
