/**
 * The fee (when the card centre charges one): the resident shows a payment code to the scanner.
 * Charging and settling an unknown outcome are the host's; the screen says what is going on and
 * offers a choice only where there is one (before paying, and after a declined code).
 */
import { formatFen } from '../i18n/messages.ts';
import { Spinner, WarningMark } from '../icons/marks.tsx';
import { PaymentCodePicture } from '../icons/pictures.tsx';
import { Actions, Button, ScreenHeading, type ScreenProps } from './common.tsx';

export function PaymentScreen({ view, t, onEvent }: ScreenProps) {
  const payment = view.payment;
  const phase = payment?.phase ?? 'awaitingCode';
  const amount = payment ? (
    <p className="fee fee--pay">
      <span>{t('payment.amount')}</span>
      <strong className="fee-amount">{formatFen(payment.amountFen)}</strong>
    </p>
  ) : null;
  const cancel = (
    <Button kind="secondary" onPress={() => onEvent({ type: 'CANCEL' })}>
      {t('common.cancel')}
    </Button>
  );
  switch (phase) {
    case 'awaitingCode':
      return (
        <>
          <ScreenHeading t={t} title="payment.title" instruction="payment.instruction" />
          <div className="screen-content">
            <PaymentCodePicture label={t('payment.picture')} />
            {amount}
          </div>
          <Actions>{cancel}</Actions>
        </>
      );
    case 'declined':
      return (
        <>
          <div className="screen-heading screen-heading--problem problem-box">
            <WarningMark />
            <div className="problem-text">
              <h1>{t('payment.declined.title')}</h1>
              <p className="advice">{t('payment.declined.instruction')}</p>
            </div>
          </div>
          <div className="screen-content">{amount}</div>
          <Actions>
            {cancel}
            <Button kind="primary" onPress={() => onEvent({ type: 'RETRY' })}>
              {t('payment.retry')}
            </Button>
          </Actions>
        </>
      );
    case 'charging':
    case 'settling':
      // Money is moving: nothing to press until the host knows the outcome.
      return (
        <>
          <ScreenHeading
            t={t}
            title={`payment.${phase}.title`}
            instruction={`payment.${phase}.instruction`}
          />
          <div className="screen-content" role="status">
            <Spinner />
            {amount}
          </div>
        </>
      );
  }
}
