import { CardFromSlotPicture } from '../icons/pictures.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

export function CollectScreen({ t }: ScreenProps) {
  return (
    <>
      <ScreenHeading t={t} title="collect.title" instruction="collect.instruction" />
      <div className="screen-content">
        <CardFromSlotPicture label={t('collect.picture')} />
      </div>
    </>
  );
}
