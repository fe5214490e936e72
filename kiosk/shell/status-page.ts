/**
 * The pages the shell shows on its own, when there is no host UI to show: while the host starts,
 * while a crashed host restarts ("please wait" — calm: the resident's session is recovered from
 * the journal, nothing for them to do), and when it has failed too often ("out of service").
 * Self-contained data: URLs with their own CSP (no script at all), in Chinese first, large type,
 * nothing to press.
 */

import { createHash } from 'node:crypto';

export type StatusPageKind = 'starting' | 'pleaseWait' | 'outOfService';

export const statusPageKinds: readonly StatusPageKind[] = [
  'starting',
  'pleaseWait',
  'outOfService',
];

const TEXT: Record<StatusPageKind, { zh: string; zhDetail: string; en: string; enDetail: string }> =
  {
    starting: {
      zh: '正在启动，请稍候',
      zhDetail: '自助服务终端正在准备中。',
      en: 'Starting, please wait',
      enDetail: 'The self-service kiosk is getting ready.',
    },
    pleaseWait: {
      zh: '请稍候',
      zhDetail: '机器正在准备，马上就好。请不要离开。',
      en: 'Please wait',
      enDetail: 'The kiosk is getting ready again. It takes a moment. Please stay here.',
    },
    outOfService: {
      zh: '暂停服务',
      zhDetail: '本机暂时无法办理业务，请到服务窗口办理。给您带来不便，敬请谅解。',
      en: 'Out of service',
      enDetail: 'This kiosk cannot serve you at the moment. Please go to the service counter.',
    },
  };

/** The pages' one stylesheet; allowed by its hash, so the page needs no 'unsafe-inline'. */
const STYLE = `
  html, body { height: 100%; margin: 0; cursor: none; user-select: none; }
  body { display: flex; align-items: center; justify-content: center; background: #f5f8fc; color: #13233f;
         font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; }
  main { display: flex; flex-direction: column; align-items: center; text-align: center; }
  h1 { font-size: 64px; margin: 0 0 24px; }
  p { font-size: 36px; margin: 8px 48px; }
  .en { color: #34476a; }
  h2.en { font-size: 44px; margin: 56px 0 16px; }
  p.en { font-size: 30px; }
  .wait { width: 72px; height: 72px; margin-top: 40px; border-radius: 50%;
          border: 8px solid #c9d6ea; border-top-color: #0b4f9c; }
  @media (prefers-reduced-motion: no-preference) {
    .wait { animation: spin 1.4s linear infinite; }
  }
  @keyframes spin { to { transform: rotate(360deg); } }
`;
const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

export function statusPageHtml(kind: StatusPageKind): string {
  const text = TEXT[kind];
  // A quiet turning ring while something is on its way; none when the kiosk is out of service.
  const wait = kind === 'outOfService' ? '' : '\n<div class="wait" aria-hidden="true"></div>';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src '${STYLE_HASH}'">
<title>${text.zh}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${text.zh}</h1>
<p>${text.zhDetail}</p>
<h2 class="en" lang="en">${text.en}</h2>
<p class="en" lang="en">${text.enDetail}</p>${wait}
</main>
</body>
</html>
`;
}

export function statusPageUrl(kind: StatusPageKind): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(statusPageHtml(kind))}`;
}
