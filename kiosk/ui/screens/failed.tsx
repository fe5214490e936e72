import { failureAdviceKey, failureTitleKey } from '../i18n/messages.ts';
import { WarningMark } from '../icons/marks.tsx';
import { Actions, Button, type ScreenProps } from './common.tsx';

export function FailedScreen({ view, t, onEvent }: ScreenProps) {
  const reason = view.failure?.reason ?? null;
  return (
    <>
      <div className="screen-heading screen-heading--problem problem-box">
        <WarningMark />
        <div className="problem-text">
          <h1>{reason ? t(failureTitleKey(reason)) : t('failed.title')}</h1>
          {reason ? <p className="advice">{t(failureAdviceKey(reason))}</p> : null}
        </div>
      </div>
      {view.failure?.refund ? (
        // Money first: a resident who paid must know where it is.
        <p className="money-note" role="status">
          {t(view.failure.refund === 'refunded' ? 'failed.refunded' : 'failed.refundPending')}
        </p>
      ) : null}
      {view.receipt ? (
        <div className="screen-content">
          <div className="txn">
            <p className="txn-label">{t('receipt.transactionNo')}</p>
            <p className="txn-number">{view.receipt.transactionNo}</p>
          </div>
        </div>
      ) : null}
      {view.failure?.waiting ? (
        // The refund is being asked: "back" would not be taken yet, so it is not offered.
        <p className="instruction" role="status">
          {t('failed.refunding')}
        </p>
      ) : (
        <>
          <p className="instruction">{t('failed.instruction')}</p>
          <Actions>
            <Button kind="primary" onPress={() => onEvent({ type: 'CANCEL' })}>
              {t('failed.back')}
            </Button>
          </Actions>
        </>
      )}
    </>
  );
}
