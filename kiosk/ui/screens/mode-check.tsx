import { Spinner } from '../icons/marks.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

/** The card proves itself, or its PIN is being checked: nothing to press. */
export function ModeCheckScreen({ t }: ScreenProps) {
  return (
    <>
      <ScreenHeading t={t} title="modeCheck.title" instruction="modeCheck.instruction" />
      <div className="screen-content">
        <Spinner />
      </div>
    </>
  );
}
