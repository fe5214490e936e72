/**
 * Hand-drawn illustrations (inline SVG, no external assets). Each is labelled for screen readers
 * by the caller (or hidden when its caption is beside it); colours come from theme.css classes.
 */

interface PictureProps {
  /** What the picture shows, for screen readers; null when the text beside it says it already. */
  label: string | null;
}

/** role="img" with its label, or hidden from assistive technology when it only decorates. */
function described(label: string | null) {
  return label === null
    ? ({ 'aria-hidden': true, focusable: 'false' } as const)
    : ({ role: 'img', 'aria-label': label } as const);
}

/** An ID card lying on the reader, with "waves" showing it is being read. */
export function IdCardOnReaderPicture({ label }: PictureProps) {
  return (
    <svg className="picture" viewBox="0 0 320 240" {...described(label)}>
      {/* reader */}
      <rect x="40" y="150" width="240" height="56" rx="14" className="pic-device" />
      <rect x="70" y="140" width="180" height="18" rx="6" className="pic-device-top" />
      <circle cx="258" cy="178" r="7" className="pic-led" />
      {/* waves */}
      <path d="M110 126 q50 -22 100 0" className="pic-wave" />
      <path d="M126 110 q34 -14 68 0" className="pic-wave" />
      {/* card */}
      <g className="pic-bob">
        <rect x="84" y="30" width="152" height="94" rx="10" className="pic-idcard" />
        <rect x="98" y="46" width="40" height="50" rx="4" className="pic-photo" />
        <rect x="148" y="50" width="72" height="8" rx="4" className="pic-line" />
        <rect x="148" y="66" width="56" height="8" rx="4" className="pic-line" />
        <rect x="148" y="82" width="64" height="8" rx="4" className="pic-line" />
        <rect x="98" y="104" width="122" height="8" rx="4" className="pic-line" />
      </g>
      {/* down arrow */}
      <path d="M30 60 v50 m-14 -16 l14 16 l14 -16" className="pic-arrow" />
      <path d="M290 60 v50 m-14 -16 l14 16 l14 -16" className="pic-arrow" />
    </svg>
  );
}

/** The new social-security card coming out of the card slot. */
export function CardFromSlotPicture({ label }: PictureProps) {
  return (
    <svg className="picture" viewBox="0 0 320 240" {...described(label)}>
      <rect x="30" y="20" width="260" height="110" rx="16" className="pic-device" />
      <rect x="70" y="96" width="180" height="14" rx="7" className="pic-slot" />
      <g className="pic-slide">
        <rect x="90" y="104" width="140" height="88" rx="10" className="pic-sscard" />
        <rect x="106" y="124" width="26" height="20" rx="3" className="pic-chip" />
        <rect x="144" y="126" width="70" height="8" rx="4" className="pic-line-light" />
        <rect x="144" y="142" width="50" height="8" rx="4" className="pic-line-light" />
        <rect x="106" y="164" width="108" height="8" rx="4" className="pic-line-light" />
      </g>
      <path d="M160 200 v28 m-14 -14 l14 14 l14 -14" className="pic-arrow" />
      <circle cx="262" cy="44" r="7" className="pic-led" />
    </svg>
  );
}

/** A paper receipt coming out of the receipt printer. */
export function ReceiptPicture({ label }: PictureProps) {
  return (
    <svg className="picture" viewBox="0 0 320 240" {...described(label)}>
      <g className="pic-slide">
        <path
          d="M100 76 h120 v140 l-12 -8 l-12 8 l-12 -8 l-12 8 l-12 -8 l-12 8 l-12 -8 l-12 8 l-12 -8 l-12 8 z"
          className="pic-paper"
        />
        <rect x="116" y="100" width="88" height="8" rx="4" className="pic-line" />
        <rect x="116" y="116" width="64" height="8" rx="4" className="pic-line" />
        <rect x="116" y="132" width="76" height="8" rx="4" className="pic-line" />
        <rect x="136" y="152" width="48" height="40" rx="3" className="pic-qr" />
      </g>
      {/* the printer is drawn over the paper, so the paper seems to come out of it */}
      <rect x="60" y="20" width="200" height="70" rx="14" className="pic-device" />
      <rect x="90" y="78" width="140" height="8" rx="4" className="pic-slot" />
    </svg>
  );
}

/** A hand lifting the ID card off the reader. */
export function TakeIdCardPicture({ label }: PictureProps) {
  return (
    <svg className="picture" viewBox="0 0 320 240" {...described(label)}>
      <rect x="40" y="170" width="240" height="50" rx="14" className="pic-device" />
      <rect x="70" y="160" width="180" height="18" rx="6" className="pic-device-top" />
      <g className="pic-lift">
        <rect x="84" y="50" width="152" height="94" rx="10" className="pic-idcard" />
        <rect x="98" y="66" width="40" height="50" rx="4" className="pic-photo" />
        <rect x="148" y="70" width="72" height="8" rx="4" className="pic-line" />
        <rect x="148" y="86" width="56" height="8" rx="4" className="pic-line" />
        <rect x="98" y="124" width="122" height="8" rx="4" className="pic-line" />
      </g>
      <path d="M30 110 v-60 m-14 16 l14 -16 l14 16" className="pic-arrow" />
      <path d="M290 110 v-60 m-14 16 l14 -16 l14 16" className="pic-arrow" />
    </svg>
  );
}

/** A friendly "closed" sign for the out-of-service screen. */
export function ClosedPicture({ label }: PictureProps) {
  return (
    <svg className="picture picture--small" viewBox="0 0 240 200" {...described(label)}>
      <path d="M120 20 l-60 50 M120 20 l60 50" className="pic-string" />
      <circle cx="120" cy="20" r="8" className="pic-device" />
      <rect x="30" y="70" width="180" height="110" rx="16" className="pic-sign" />
      <rect x="60" y="116" width="120" height="18" rx="9" className="pic-sign-bar" />
    </svg>
  );
}

/** A face inside the round frame, the camera above it: "look here, keep your face in the circle". */
export function FaceCameraPicture({ label }: PictureProps) {
  return (
    <svg className="picture picture--face" viewBox="0 0 240 240" {...described(label)}>
      {/* camera */}
      <rect x="90" y="8" width="60" height="30" rx="8" className="pic-device" />
      <circle cx="120" cy="23" r="9" className="pic-lens" />
      {/* frame and face */}
      <circle cx="120" cy="140" r="84" className="pic-frame" />
      <circle cx="120" cy="122" r="34" className="pic-face" />
      <path d="M62 214 q58 -62 116 0" className="pic-face" />
      <circle cx="108" cy="118" r="4" className="pic-eye" />
      <circle cx="132" cy="118" r="4" className="pic-eye" />
      <path d="M108 136 q12 9 24 0" className="pic-mouth" />
      <path d="M120 46 v22 m-10 -10 l10 10 l10 -10" className="pic-arrow" />
    </svg>
  );
}

/** A phone showing its payment code to the scanner window. */
export function PaymentCodePicture({ label }: PictureProps) {
  return (
    <svg className="picture picture--small" viewBox="0 0 260 220" {...described(label)}>
      {/* scanner window */}
      <rect x="150" y="60" width="96" height="120" rx="12" className="pic-device" />
      <rect x="164" y="80" width="68" height="56" rx="6" className="pic-scan-window" />
      <circle cx="198" cy="158" r="6" className="pic-led" />
      {/* phone with a code */}
      <g className="pic-bob">
        <rect x="20" y="30" width="92" height="160" rx="14" className="pic-phone" />
        <rect x="32" y="52" width="68" height="100" rx="4" className="pic-phone-screen" />
        <rect x="42" y="70" width="48" height="48" rx="2" className="pic-qr" />
        <rect x="48" y="76" width="12" height="12" className="pic-qr-dot" />
        <rect x="72" y="76" width="12" height="12" className="pic-qr-dot" />
        <rect x="48" y="100" width="12" height="12" className="pic-qr-dot" />
        <rect x="70" y="98" width="8" height="8" className="pic-qr-dot" />
        <rect x="48" y="128" width="36" height="8" rx="4" className="pic-line" />
      </g>
      <path d="M118 110 h26 m-10 -10 l10 10 l-10 10" className="pic-arrow" />
    </svg>
  );
}
