import { useState } from 'react';
import { resolveReasons, type TodoItem } from '../../bridge/protocol.ts';
import type { Translate } from '../i18n/messages.ts';
import { Button, ScreenHeading, type ScreenProps } from './common.tsx';
import { BackHomeButton, knownKey, modeOf, ResultLine, shortTime } from './mode-common.tsx';

/** What a discrepancy or notice is, in a plain sentence; a code the catalogue lacks gets the general one. */
function what(item: TodoItem, t: Translate): string {
  return item.type === 'discrepancy'
    ? t(knownKey(`discrepancy.${item.reason}`, 'discrepancy.other'))
    : t(knownKey(`notice.${item.kind}`, 'notice.other'));
}

/** The numbers a clerk matches a resident's receipt with (never a name or an ID number). */
function numbers(item: TodoItem, t: Translate): string[] {
  if (item.type !== 'notice') return [];
  return [
    item.transactionNo ? t('staffTodo.transactionNo', { n: item.transactionNo }) : null,
    item.applicationNo ? t('staffTodo.applicationNo', { n: item.applicationNo }) : null,
    item.orderNo ? t('staffTodo.orderNo', { n: item.orderNo }) : null,
  ].filter((n): n is string => n !== null);
}

const keyOf = (item: TodoItem) => (item.type === 'discrepancy' ? `d${item.seq}` : `n${item.id}`);

/**
 * The discrepancies and staff notices waiting for a person, each with its "handled" button. A
 * discrepancy asks why it is handled — a few preset reasons, no typing on a touchscreen; a notice
 * asks once more before it leaves the list. The choice is only this screen's; the host decides.
 */
export function StaffTodoScreen({ view, t, onEvent }: ScreenProps) {
  const mode = modeOf(view);
  const busy = mode?.busy ?? false;
  const todo = mode?.todo ?? { count: 0, items: [] };
  const stock = mode?.stock ?? null;
  const [chosen, choose] = useState<string | null>(null);
  // An item handled (or gone) since it was chosen: back to the list.
  const item = todo.items.find((i) => keyOf(i) === chosen) ?? null;
  const more = todo.count - todo.items.length;
  return (
    <>
      <ScreenHeading t={t} title="staffTodo.title" instruction="staffTodo.instruction" />
      {stock?.outOfService && stock.discrepancies > 0 ? (
        <p className="mode-result mode-result--problem">
          {t('staffHome.discrepancies', { n: stock.discrepancies })}
        </p>
      ) : null}
      {item ? (
        <section className="todo-ask" aria-labelledby="todo-ask">
          <p className="todo-what">{what(item, t)}</p>
          <p id="todo-ask" className="mode-note--strong">
            {t(item.type === 'discrepancy' ? 'staffTodo.why' : 'staffTodo.sure')}
          </p>
          <div className="todo-choices">
            {item.type === 'discrepancy' ? (
              resolveReasons.map((reason) => (
                <Button
                  key={reason}
                  kind="primary"
                  disabled={busy}
                  onPress={() => {
                    choose(null);
                    onEvent({ type: 'STOCK_RESOLVE', discrepancy: item.seq, reason });
                  }}
                >
                  {t(`resolveReason.${reason}`)}
                </Button>
              ))
            ) : (
              <Button
                kind="primary"
                disabled={busy}
                onPress={() => {
                  choose(null);
                  onEvent({ type: 'NOTICE_CLEAR', notice: item.id });
                }}
              >
                {t('staffTodo.yes')}
              </Button>
            )}
            <Button kind="secondary" onPress={() => choose(null)}>
              {t('staffTodo.cancel')}
            </Button>
          </div>
        </section>
      ) : todo.items.length === 0 ? (
        <p className="mode-note mode-note--strong todo-empty">{t('staffTodo.empty')}</p>
      ) : (
        <ul className="todo" aria-label={t('staffTodo.title')}>
          {todo.items.map((entry) => {
            const id = `todo-${keyOf(entry)}`;
            return (
              <li key={keyOf(entry)} className={`todo-item todo-item--${entry.type}`}>
                <div id={id} className="todo-text">
                  <p className="todo-head">
                    <span className="todo-kind">
                      {t(
                        entry.type === 'discrepancy' ? 'staffTodo.discrepancy' : 'staffTodo.notice',
                      )}
                    </span>{' '}
                    <time dateTime={entry.at}>{shortTime(entry.at)}</time>
                  </p>
                  <p className="todo-what">{what(entry, t)}</p>
                  {numbers(entry, t).length > 0 ? (
                    <p className="todo-numbers">{numbers(entry, t).join(' · ')}</p>
                  ) : null}
                </div>
                <button
                  type="button"
                  className="btn btn--primary btn--todo"
                  disabled={busy}
                  aria-describedby={id}
                  onClick={() => choose(keyOf(entry))}
                >
                  {t(entry.type === 'discrepancy' ? 'staffTodo.resolve' : 'staffTodo.done')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {!item && more > 0 ? <p className="mode-note">{t('staffTodo.more', { n: more })}</p> : null}
      <ResultLine mode={mode} t={t} />
      {/* While the question is asked, "cancel" is the one way out (back to the list, then home). */}
      {item ? null : (
        <div className="actions">
          <BackHomeButton busy={busy} t={t} onEvent={onEvent} />
        </div>
      )}
    </>
  );
}
