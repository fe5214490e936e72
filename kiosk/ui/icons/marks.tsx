/** Small decorative glyphs (always aria-hidden: the text next to them carries the meaning). */

export function CheckMark() {
  return (
    <svg className="mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="11" className="mark-done-bg" />
      <path d="M6.5 12.5 l3.5 3.5 l7.5 -8" className="mark-done-tick" />
    </svg>
  );
}

export function CurrentMark() {
  return (
    <svg className="mark mark--current" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9.5" className="mark-current-ring" />
      <path d="M12 2.5 a9.5 9.5 0 0 1 9.5 9.5" className="mark-current-arc" />
    </svg>
  );
}

export function PendingMark() {
  return (
    <svg className="mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9.5" className="mark-pending" />
    </svg>
  );
}

export function WarningMark() {
  return (
    <svg className="mark mark--big" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
      <path d="M24 4 L46 42 H2 Z" className="mark-warn-bg" />
      <path d="M24 18 v12" className="mark-warn-fg" />
      <circle cx="24" cy="36" r="2.6" className="mark-warn-dot" />
    </svg>
  );
}

export function Spinner() {
  return (
    <svg className="spinner" viewBox="0 0 50 50" aria-hidden="true" focusable="false">
      <circle cx="25" cy="25" r="20" className="spinner-track" />
      <path d="M25 5 a20 20 0 0 1 20 20" className="spinner-arc" />
    </svg>
  );
}

export function CardMark() {
  return (
    <svg className="mark mark--inline" viewBox="0 0 32 24" aria-hidden="true" focusable="false">
      <rect x="1.5" y="1.5" width="29" height="21" rx="3" className="mark-card" />
      <rect x="5" y="7" width="7" height="6" rx="1" className="mark-card-chip" />
    </svg>
  );
}
