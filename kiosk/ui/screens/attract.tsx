import { catalogues } from '../i18n/messages.ts';
import { CardMark } from '../icons/marks.tsx';
import {
  CardFromSlotPicture,
  FaceCameraPicture,
  IdCardOnReaderPicture,
} from '../icons/pictures.tsx';
import type { ScreenProps } from './common.tsx';

/** The idle screen between residents: nothing here may refer to a previous resident. */
export function AttractScreen({ view, t, onEvent }: ScreenProps) {
  return (
    <>
      <p className="site-name">{view.kiosk.siteName}</p>
      <div className="screen-heading">
        <h1 className="title--hero">{t('attract.title')}</h1>
        <p className="instruction">{t('attract.instruction')}</p>
      </div>
      <div className="actions actions--hero">
        <button
          type="button"
          className="btn btn--primary btn--hero"
          onClick={() => onEvent({ type: 'START' })}
        >
          <CardMark />
          <span className="btn-stack">
            <span className="btn-main">{t('attract.start')}</span>
            {view.lang === 'zh-CN' ? (
              <span className="btn-sub" lang="en">
                {catalogues.en['attract.start']}
              </span>
            ) : null}
          </span>
        </button>
      </div>
      <p className="hint">{t('attract.bring')}</p>
      {/* How it goes, in pictures, for a resident who reads little. */}
      <ol className="how" aria-label={t('attract.how')}>
        <li>
          <IdCardOnReaderPicture label={null} />
          <span>
            <span className="how-n" aria-hidden="true">
              1.
            </span>{' '}
            {t('attract.how.id')}
          </span>
        </li>
        <li>
          <FaceCameraPicture label={null} />
          <span>
            <span className="how-n" aria-hidden="true">
              2.
            </span>{' '}
            {t('attract.how.photo')}
          </span>
        </li>
        <li>
          <CardFromSlotPicture label={null} />
          <span>
            <span className="how-n" aria-hidden="true">
              3.
            </span>{' '}
            {t('attract.how.card')}
          </span>
        </li>
      </ol>
    </>
  );
}
