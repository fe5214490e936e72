import { productionStages } from '../../bridge/protocol.ts';
import { stageKey, type MessageKey } from '../i18n/messages.ts';
import { CheckMark, CurrentMark, PendingMark } from '../icons/marks.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

type StageState = 'done' | 'current' | 'pending';

/** Done: before `stagesDone`. Current: the host's `stage`, if not done yet. Everything else: pending. */
export function stageStates(production: { stage: string; stagesDone: number }): StageState[] {
  return productionStages.map((stage, index) =>
    index < production.stagesDone ? 'done' : stage === production.stage ? 'current' : 'pending',
  );
}

const stateKey: Record<StageState, MessageKey> = {
  done: 'stageState.done',
  current: 'stageState.current',
  pending: 'stageState.pending',
};

/** No cancel here: once production starts the host finishes safely on its own. */
export function ProducingScreen({ view, t }: ScreenProps) {
  const production = view.production;
  const states = production
    ? stageStates(production)
    : productionStages.map((): StageState => 'pending');
  return (
    <>
      <ScreenHeading t={t} title="producing.title" instruction="producing.instruction" />
      <div className="screen-content">
        <ol className="stages" aria-label={t('producing.stages')}>
          {productionStages.map((stage, index) => {
            const state = states[index] ?? 'pending';
            return (
              <li
                key={stage}
                className={`stage stage--${state}`}
                aria-current={state === 'current' ? 'step' : undefined}
              >
                {state === 'done' ? (
                  <CheckMark />
                ) : state === 'current' ? (
                  <CurrentMark />
                ) : (
                  <PendingMark />
                )}
                <span className="stage-name">{t(stageKey(stage))}</span>
                <span className="visually-hidden">（{t(stateKey[state])}）</span>
              </li>
            );
          })}
        </ol>
        {production && production.attempt > 1 ? (
          <p className="attempt" role="status">
            {t('producing.attempt', { n: production.attempt })}
          </p>
        ) : null}
      </div>
    </>
  );
}
