import { ScreenHeading, type ScreenProps } from './common.tsx';
import { ModeMenu, modeOf, ResultLine } from './mode-common.tsx';

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
      <ModeMenu
        busy={busy}
        t={t}
        onEvent={onEvent}
        items={[
          {
            label: 'technicianHome.tests',
            kind: 'primary',
            event: { type: 'MODE_GO', to: 'tests' },
          },
          { label: 'technicianHome.apdu', kind: 'primary', event: { type: 'MODE_GO', to: 'apdu' } },
          {
            label: 'technicianHome.printReadiness',
            kind: 'secondary',
            event: { type: 'REPORT', report: 'readiness', output: 'print' },
          },
          {
            label: 'technicianHome.saveReadiness',
            kind: 'secondary',
            event: { type: 'REPORT', report: 'readiness', output: 'pdf' },
          },
          { label: 'technicianHome.export', kind: 'secondary', event: { type: 'EXPORT_EVENTS' } },
        ]}
      />
    </>
  );
}
