import type { ViewModel } from '../../bridge/protocol.ts';
import { formatFen, type MessageKey } from '../i18n/messages.ts';
import { Actions, Button, ScreenHeading, type ScreenProps } from './common.tsx';

function lossLineKey(status: NonNullable<ViewModel['resident']>['cardStatus']): MessageKey {
  switch (status) {
    case 'normal':
      return 'confirm.reportLost';
    case 'temporarilyLost':
      return 'confirm.temporarilyLost';
    case 'reportedLost':
      return 'confirm.alreadyReportedLost';
  }
}

export function ConfirmScreen({ view, t, onEvent }: ScreenProps) {
  const { resident, fee } = view;
  return (
    <>
      <ScreenHeading t={t} title="confirm.title" instruction="confirm.instruction" />
      <div className="screen-content confirm">
        {resident ? (
          <dl className="details">
            <div className="details-row">
              <dt>{t('confirm.name')}</dt>
              <dd className="details-name">{resident.name}</dd>
            </div>
            <div className="details-row">
              <dt>{t('confirm.idNumber')}</dt>
              <dd className="details-id">{resident.maskedId}</dd>
            </div>
          </dl>
        ) : null}
        <div className="plan">
          <h2>{t('confirm.whatHappens')}</h2>
          <ol className="plan-list">
            {resident ? <li>{t(lossLineKey(resident.cardStatus))}</li> : null}
            <li>{t('confirm.makeNew')}</li>
          </ol>
          {fee ? (
            <p className="fee">
              <span>{t('confirm.fee')}</span>
              <strong className={fee.amountFen === 0 ? 'fee-free' : 'fee-amount'}>
                {fee.amountFen === 0 ? t('confirm.free') : formatFen(fee.amountFen)}
              </strong>
            </p>
          ) : null}
        </div>
      </div>
      <Actions>
        <Button kind="secondary" onPress={() => onEvent({ type: 'CANCEL' })}>
          {t('common.cancel')}
        </Button>
        <Button kind="primary" onPress={() => onEvent({ type: 'CONFIRM' })}>
          {t('confirm.confirm')}
        </Button>
      </Actions>
    </>
  );
}
