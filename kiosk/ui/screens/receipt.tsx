import { ReceiptPicture } from '../icons/pictures.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

export function ReceiptScreen({ view, t }: ScreenProps) {
  const receipt = view.receipt;
  return (
    <>
      <ScreenHeading t={t} title="receipt.title" instruction="receipt.instruction" />
      <div className="screen-content">
        <ReceiptPicture label={t('receipt.picture')} />
        {receipt ? (
          <div className="txn">
            <p className="txn-label">{t('receipt.transactionNo')}</p>
            <p className="txn-number">{receipt.transactionNo}</p>
            <p className="hint">{t('receipt.keepNumber')}</p>
          </div>
        ) : null}
      </div>
    </>
  );
}
