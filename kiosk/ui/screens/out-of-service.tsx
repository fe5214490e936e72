import { ClosedPicture } from '../icons/pictures.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

export function OutOfServiceScreen({ view, t }: ScreenProps) {
  return (
    <>
      <p className="site-name">{view.kiosk.siteName}</p>
      <ScreenHeading t={t} title="outOfService.title" instruction="outOfService.instruction" />
      <div className="screen-content">
        <ClosedPicture label={t('outOfService.title')} />
      </div>
    </>
  );
}
