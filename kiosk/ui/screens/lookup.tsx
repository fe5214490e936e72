import { Spinner } from '../icons/marks.tsx';
import { ScreenHeading, type ScreenProps } from './common.tsx';

/** Waiting for the card centre: no buttons (the host times out on its own). */
export function LookupScreen({ t }: ScreenProps) {
  return (
    <>
      <ScreenHeading t={t} title="lookup.title" instruction="lookup.instruction" />
      <div className="screen-content" role="status">
        <Spinner />
      </div>
    </>
  );
}
