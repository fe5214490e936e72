/** What every resident screen gets, and the small building blocks they share. */
import type { ReactNode } from 'react';
import type { UserEvent, ViewModel } from '../../bridge/protocol.ts';
import type { MessageKey, Translate } from '../i18n/messages.ts';

export interface ScreenProps {
  view: ViewModel;
  t: Translate;
  /** Sends a user event to the host; the host decides what it means (the UI holds no flow logic). */
  onEvent: (event: UserEvent) => void;
  /** The UI's clock (host epoch ms), ticking while a countdown is due. */
  now: number;
}

/** Heading + the screen's one instruction sentence (the text voice guidance will speak). */
export function ScreenHeading(props: {
  t: Translate;
  title: MessageKey;
  instruction: MessageKey;
  tone?: 'normal' | 'problem';
}) {
  const { t, title, instruction, tone = 'normal' } = props;
  return (
    <div className={`screen-heading screen-heading--${tone}`}>
      <h1>{t(title)}</h1>
      <p className="instruction">{t(instruction)}</p>
    </div>
  );
}

export function Actions({ children }: { children: ReactNode }) {
  return <div className="actions">{children}</div>;
}

export function Button(props: {
  kind: 'primary' | 'secondary';
  onPress: () => void;
  children: ReactNode;
  disabled?: boolean;
  lang?: string;
}) {
  const { kind, onPress, children, disabled = false, lang } = props;
  return (
    <button
      type="button"
      className={`btn btn--${kind}`}
      onClick={onPress}
      disabled={disabled}
      lang={lang}
    >
      {children}
    </button>
  );
}
