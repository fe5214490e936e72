/**
 * The resident UI: a pure view of the host's latest ViewModel. It holds no flow logic — every
 * button sends an event and the host answers with the next view.
 */
import { useCallback, useEffect, useSyncExternalStore, type ComponentType } from 'react';
import type { Language, ScreenId, SimAction, UserEvent, ViewModel } from '../bridge/protocol.ts';
import type { BridgeClient } from './bridge-client.ts';
import { catalogues, otherLanguage, translator, type Translate } from './i18n/messages.ts';
import { collectCountdown, IdlePrompt, isIdlePromptDue, useIdleClock } from './idle-prompt.tsx';
import { SimPanel } from './sim-panel.tsx';
import { AttractScreen } from './screens/attract.tsx';
import type { ScreenProps } from './screens/common.tsx';
import { CollectScreen } from './screens/collect.tsx';
import { ConfirmScreen } from './screens/confirm.tsx';
import { ConnectingScreen } from './screens/connecting.tsx';
import { FailedScreen } from './screens/failed.tsx';
import { IdentifyScreen } from './screens/identify.tsx';
import { LookupScreen } from './screens/lookup.tsx';
import { OutOfServiceScreen } from './screens/out-of-service.tsx';
import { PaymentScreen } from './screens/payment.tsx';
import { ProducingScreen } from './screens/producing.tsx';
import { ReceiptScreen } from './screens/receipt.tsx';
import { TakeIdCardScreen } from './screens/take-id-card.tsx';
import { VerifyingScreen } from './screens/verifying.tsx';
import { Who } from './screens/mode-common.tsx';
import { ModeCheckScreen } from './screens/mode-check.tsx';
import { ModePinScreen } from './screens/mode-pin.tsx';
import { ModeRefusedScreen } from './screens/mode-refused.tsx';
import { StaffConsumablesScreen } from './screens/staff-consumables.tsx';
import { StaffCountScreen } from './screens/staff-count.tsx';
import { StaffHomeScreen } from './screens/staff-home.tsx';
import { StaffLoadScreen } from './screens/staff-load.tsx';
import { StaffRejectBinScreen } from './screens/staff-reject-bin.tsx';
import { StaffTodoScreen } from './screens/staff-todo.tsx';
import { TechnicianApduScreen } from './screens/technician-apdu.tsx';
import { TechnicianHomeScreen } from './screens/technician-home.tsx';
import { TechnicianTestsScreen } from './screens/technician-tests.tsx';
import { voicePromptFor } from './voice/prompts.ts';
import { clipUrl, useVoice, useVoiceIndex, VoiceButton, type Voice } from './voice/voice-guide.tsx';

/** One component per screen; a screen added to the protocol without one is a compile error. */
export const screens: Record<ScreenId, ComponentType<ScreenProps>> = {
  attract: AttractScreen,
  identify: IdentifyScreen,
  verifying: VerifyingScreen,
  lookup: LookupScreen,
  confirm: ConfirmScreen,
  payment: PaymentScreen,
  producing: ProducingScreen,
  collect: CollectScreen,
  receipt: ReceiptScreen,
  takeIdCard: TakeIdCardScreen,
  failed: FailedScreen,
  outOfService: OutOfServiceScreen,
  // Staff and technician modes (a staff card and its PIN).
  modeCheck: ModeCheckScreen,
  modePin: ModePinScreen,
  modeRefused: ModeRefusedScreen,
  staffHome: StaffHomeScreen,
  staffLoad: StaffLoadScreen,
  staffRejectBin: StaffRejectBinScreen,
  staffCount: StaffCountScreen,
  staffConsumables: StaffConsumablesScreen,
  staffTodo: StaffTodoScreen,
  technicianHome: TechnicianHomeScreen,
  technicianTests: TechnicianTestsScreen,
  technicianApdu: TechnicianApduScreen,
};

function LanguageToggle(props: {
  lang: Language;
  t: Translate;
  onEvent: (event: UserEvent) => void;
}) {
  const target = otherLanguage(props.lang);
  return (
    <button
      type="button"
      className="btn btn--lang"
      lang={target}
      onClick={() => props.onEvent({ type: 'SET_LANG', lang: target })}
    >
      {props.t('lang.switchTo')}
    </button>
  );
}

export interface KioskViewProps {
  /** Null while disconnected (or connected but no view pushed yet). */
  view: ViewModel | null;
  /** Current time (epoch ms), for the idle prompt. */
  now: number;
  onEvent: (event: UserEvent) => void;
  onSim: (action: SimAction) => void;
  /** Voice guidance (the audio element and its button); null when muted or without clips. */
  voice?: Voice | null;
}

const NO_VOICE: Voice = { element: null, playing: false, toggle: null };

/** Everything on screen, from the view alone (pure: rendered server-side in unit tests). */
export function KioskView({ view, now, onEvent, onSim, voice }: KioskViewProps) {
  const speech = voice ?? NO_VOICE;
  if (view === null) {
    return (
      <div className="kiosk">
        <div className="resident">
          <ConnectingScreen />
        </div>
      </div>
    );
  }
  const t = translator(view.lang);
  const Screen = screens[view.screen];
  const promptIdle = isIdlePromptDue(view.idle, now) ? view.idle : null;
  return (
    <div className="kiosk" data-screen={view.screen}>
      <div className="resident" inert={promptIdle !== null}>
        <header className="topbar">
          <span className="brand">{t('app.brand')}</span>
          {view.step ? (
            <p className="step">{t('step', { index: view.step.index, total: view.step.total })}</p>
          ) : view.mode ? (
            // Staff and technician modes: who is logged in, where a resident sees their step.
            <Who mode={view.mode} t={t} />
          ) : null}
          <div className="topbar-tools">
            <VoiceButton voice={speech} t={t} />
            <LanguageToggle lang={view.lang} t={t} onEvent={onEvent} />
          </div>
        </header>
        {/* keyed by screen: nothing of one screen's DOM survives into the next */}
        <main key={view.screen} className={`screen screen--${view.screen}`}>
          <Screen view={view} t={t} onEvent={onEvent} now={now} />
        </main>
      </div>
      {promptIdle ? (
        <IdlePrompt
          idle={promptIdle}
          now={now}
          t={t}
          onStillHere={() => onEvent({ type: 'STILL_HERE' })}
          voiceButton={<VoiceButton voice={speech} t={t} className="btn--voice-dialog" />}
        />
      ) : null}
      {speech.element}
      {view.simulation ? <SimPanel simulation={view.simulation} onSim={onSim} /> : null}
    </div>
  );
}

export function App({ client }: { client: BridgeClient }) {
  const state = useSyncExternalStore(client.subscribe, client.getState);
  const view = state.view;
  const lang = view?.lang ?? 'zh-CN';
  const now = useIdleClock(view?.idle ?? collectCountdown(view));

  useEffect(() => {
    document.documentElement.lang = lang;
    // A fixed catalogue string: never anything personal in the title.
    document.title = catalogues[lang]['app.title'];
  }, [lang]);

  const onEvent = useCallback(
    (event: UserEvent) => void client.send({ type: 'event', event }),
    [client],
  );
  const onSim = useCallback((sim: SimAction) => void client.send({ type: 'sim', sim }), [client]);

  // Voice guidance: the prompt of what is on screen, in the resident's language, unless staff muted it.
  const voiceOn = view?.settings.voice ?? false;
  const voiceIndex = useVoiceIndex(voiceOn);
  const promptId = view ? voicePromptFor(view, isIdlePromptDue(view.idle, now)) : 'attract';
  const voice = useVoice(
    view && voiceOn ? clipUrl(voiceIndex, view.lang, promptId) : null,
    promptId,
    // An ID card left on the reader: say it again until it is taken (the kiosk waits for it).
    view?.screen === 'takeIdCard' ? (view.settings.idCardReminderMs ?? null) : null,
  );

  return <KioskView view={view} now={now} onEvent={onEvent} onSim={onSim} voice={voice} />;
}
