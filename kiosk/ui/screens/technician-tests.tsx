import { selfTestIds } from '../../bridge/protocol.ts';
import { CheckMark, CurrentMark, PendingMark, WarningMark } from '../icons/marks.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';
import { BackHomeButton, knownKey, modeOf } from './mode-common.tsx';

/** One button per self-test; each result says what was found and, on fail, what to do. */
export function TechnicianTestsScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const busy = mode?.busy ?? false;
  const tests =
    mode?.tests ??
    selfTestIds.map((id) => ({ id, state: 'notRun' as const, code: null, params: {}, at: null }));
  return (
    <>
      <ScreenHeading
        t={t}
        title="technicianTests.title"
        instruction="technicianTests.instruction"
      />
      <ul className="tests">
        {tests.map((test) => {
          const name = t(knownKey(`selfTest.${test.id}.name`, 'technicianTests.title'));
          const detail =
            test.state === 'running'
              ? t(knownKey(`selfTest.${test.id}.running`, 'testState.running'))
              : test.code
                ? t(knownKey(`selfTest.${test.id}.${test.code}`, 'selfTest.error'), {
                    error: test.code,
                    ...test.params,
                  })
                : null;
          return (
            <li key={test.id} className={`test test--${test.state}`}>
              <button
                type="button"
                className="btn btn--secondary btn--test"
                disabled={busy}
                onClick={() => onEvent({ type: 'SELF_TEST', test: test.id })}
              >
                {name}
              </button>
              <p className="test-state">
                {test.state === 'pass' ? (
                  <CheckMark />
                ) : test.state === 'fail' ? (
                  <WarningMark />
                ) : test.state === 'running' ? (
                  <CurrentMark />
                ) : (
                  <PendingMark />
                )}
                <span>{t(`testState.${test.state}`)}</span>
              </p>
              {detail ? <p className="test-detail">{detail}</p> : null}
            </li>
          );
        })}
      </ul>
      <div className="actions">
        <BackHomeButton busy={busy} t={t} onEvent={onEvent} />
      </div>
    </>
  );
}
