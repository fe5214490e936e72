import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { modeOf, ResultLine } from './mode-common.tsx';

const time = (iso: string) => {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

/** Every device, live (the host pushes a new view when one changes), and what a technician does next. */
export function TechnicianHomeScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const busy = mode?.busy ?? false;
  const devices = mode?.devices ?? [];
  return (
    <>
      <ScreenHeading t={t} title="technicianHome.title" instruction="technicianHome.instruction" />
      <table className="devices">
        <caption className="visually-hidden">{t('technicianHome.devices')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('technicianHome.device')}</th>
            <th scope="col">{t('technicianHome.state')}</th>
            <th scope="col">{t('technicianHome.identity')}</th>
            <th scope="col">{t('technicianHome.errors')}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr key={device.kind} className={`device device--${device.state}`}>
              <th scope="row">{t(`device.${device.kind}`)}</th>
              <td className="device-state">
                {t(`deviceState.${device.state}`)}
                {device.detail ? ` · ${device.detail}` : ''}
              </td>
              <td className="device-identity">
                {device.identity ? Object.values(device.identity).join(' · ') : '—'}
              </td>
              <td className="device-errors">
                {device.errors.length > 0
                  ? `${time(device.errors[0]!.at)} ${device.errors[0]!.what}${device.errors.length > 1 ? ` (+${device.errors.length - 1})` : ''}`
                  : t('technicianHome.noErrors')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ResultLine mode={mode} t={t} />
      <div className="menu">
        <Button
          kind="primary"
          disabled={busy}
          onPress={() => onEvent({ type: 'MODE_GO', to: 'tests' })}
        >
          {t('technicianHome.tests')}
        </Button>
        <Button
          kind="primary"
          disabled={busy}
          onPress={() => onEvent({ type: 'MODE_GO', to: 'apdu' })}
        >
          {t('technicianHome.apdu')}
        </Button>
        <Button
          kind="secondary"
          disabled={busy}
          onPress={() => onEvent({ type: 'REPORT', report: 'readiness', output: 'print' })}
        >
          {t('technicianHome.printReadiness')}
        </Button>
        <Button
          kind="secondary"
          disabled={busy}
          onPress={() => onEvent({ type: 'REPORT', report: 'readiness', output: 'pdf' })}
        >
          {t('technicianHome.saveReadiness')}
        </Button>
        <Button kind="secondary" disabled={busy} onPress={() => onEvent({ type: 'EXPORT_EVENTS' })}>
          {t('technicianHome.export')}
        </Button>
        <Button kind="secondary" onPress={() => onEvent({ type: 'MODE_EXIT' })}>
          {t('mode.exit')}
        </Button>
      </div>
    </>
  );
}
