/**
 * The two pages the shell shows on its own, when there is no host UI to show: while the host
 * starts, and when it has failed too often ("out of service"). Self-contained data: URLs with
 * their own CSP (no script at all), in Chinese first, large type, nothing to press.
 */

export type StatusPageKind = 'starting' | 'outOfService';

const TEXT: Record<StatusPageKind, { zh: string; zhDetail: string; en: string; enDetail: string }> =
  {
    starting: {
      zh: '正在启动，请稍候',
      zhDetail: '自助服务终端正在准备中。',
      en: 'Starting, please wait',
      enDetail: 'The self-service kiosk is getting ready.',
    },
    outOfService: {
      zh: '暂停服务',
      zhDetail: '本机暂时无法办理业务，请到服务窗口办理。给您带来不便，敬请谅解。',
      en: 'Out of service',
      enDetail: 'This kiosk cannot serve you at the moment. Please go to the service counter.',
    },
  };

export function statusPageHtml(kind: StatusPageKind): string {
  const text = TEXT[kind];
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${text.zh}</title>
<style>
  html, body { height: 100%; margin: 0; cursor: none; user-select: none; }
  body { display: flex; flex-direction: column; align-items: center; justify-content: center;
         font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; background: #f4f6f8; color: #1d2733; }
  h1 { font-size: 64px; margin: 0 0 24px; }
  p { font-size: 32px; margin: 8px 48px; text-align: center; }
  .en { color: #55606c; font-size: 26px; }
  h1.en { font-size: 40px; margin-top: 48px; }
</style>
</head>
<body>
<h1>${text.zh}</h1>
<p>${text.zhDetail}</p>
<h1 class="en" lang="en">${text.en}</h1>
<p class="en" lang="en">${text.enDetail}</p>
</body>
</html>
`;
}

export function statusPageUrl(kind: StatusPageKind): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(statusPageHtml(kind))}`;
}
