import { IdCardOnReaderPicture } from '../icons/pictures.tsx';
import { Actions, Button, ScreenHeading, type ScreenProps } from './common.tsx';

export function IdentifyScreen({ t, onEvent }: ScreenProps) {
  return (
    <>
      <ScreenHeading t={t} title="identify.title" instruction="identify.instruction" />
      <div className="screen-content">
        <IdCardOnReaderPicture label={t('identify.picture')} />
      </div>
      <Actions>
        <Button kind="secondary" onPress={() => onEvent({ type: 'CANCEL' })}>
          {t('common.cancel')}
        </Button>
      </Actions>
    </>
  );
}
