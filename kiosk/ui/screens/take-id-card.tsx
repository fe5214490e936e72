import { TakeIdCardPicture } from '../icons/pictures.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

export function TakeIdCardScreen({ t }: ScreenProps) {
  return (
    <>
      <ScreenHeading t={t} title="takeIdCard.title" instruction="takeIdCard.instruction" />
      <div className="screen-content">
        <TakeIdCardPicture label={t('takeIdCard.picture')} />
      </div>
    </>
  );
}
