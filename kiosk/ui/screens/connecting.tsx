import { catalogues } from '../i18n/messages.ts';
import { Spinner } from '../icons/marks.tsx';

/**
 * Shown while there is no connection to the host (or no view yet). The language is unknown
 * here, so both are shown; calm wording, no error.
 */
export function ConnectingScreen() {
  const zh = catalogues['zh-CN'];
  const en = catalogues.en;
  return (
    <main className="screen screen--connecting" aria-busy="true">
      <div className="screen-heading">
        <h1>
          <span lang="zh-CN">{zh['connecting.title']}</span>
          <span className="title-second" lang="en">
            {en['connecting.title']}
          </span>
        </h1>
        <p className="instruction">
          <span lang="zh-CN">{zh['connecting.instruction']}</span>{' '}
          <span lang="en">{en['connecting.instruction']}</span>
        </p>
      </div>
      <div className="screen-content" role="status">
        <Spinner />
      </div>
    </main>
  );
}
