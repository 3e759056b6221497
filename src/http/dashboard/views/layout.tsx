import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { DASHBOARD_CSS } from '../style.ts';

/** What every signed-in page needs besides its own data. */
export interface PageContext {
  /** The form token every POST from the dashboard carries (the session's own, random: see session.ts). */
  csrf: string;
  /** The hub's clock, for "5 min ago". */
  now: Date;
  /** The path of the page being shown, so that forms can come back to it. */
  path: string;
  /** What the search box shows. */
  search?: string;
  notice?: Notice | undefined;
}

/** A one-line message after a redirect; chosen from a fixed list, so no text comes from the URL. */
export type Notice = 'retried' | 'reapplied' | 'reapply_failed' | 'rerouted';

const NOTICES: Record<Notice, { text: string; bad: boolean }> = {
  retried: { text: 'Retry queued: the document is pending again.', bad: false },
  reapplied: { text: 'The document was applied again.', bad: false },
  reapply_failed: { text: 'The document was applied again and failed again: see its error.', bad: true },
  rerouted: { text: 'The order is back in received: the router takes it next.', bad: false },
};

export function isNotice(value: string | undefined): value is Notice {
  return value !== undefined && Object.hasOwn(NOTICES, value);
}

export function Document(props: { title: string; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>{`${props.title} · dropship hub`}</title>
          <style>{raw(DASHBOARD_CSS)}</style>
        </head>
        <body>{props.children}</body>
      </html>
    </>
  );
}

export function Layout(props: { title: string; ctx: PageContext; children: Child }) {
  const { ctx } = props;
  const notice = ctx.notice ? NOTICES[ctx.notice] : undefined;
  return (
    <Document title={props.title}>
      <header class="top">
        <a class="brand" href="/">dropship hub</a>
        <a href="/">Home</a>
        <a href="/orders">Orders</a>
        <a href="/documents">Documents</a>
        <a href="/documents?status=failed">Failed</a>
        <form class="search" method="get" action="/search" role="search">
          <input type="search" name="q" value={ctx.search ?? ''} placeholder="order #, external id, PO or tracking number" aria-label="Search" />
          <button type="submit">Search</button>
        </form>
        <form class="inline" method="post" action="/logout">
          <input type="hidden" name="csrf" value={ctx.csrf} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main>
        {notice ? <div class={notice.bad ? 'notice bad' : 'notice'} role="status">{notice.text}</div> : null}
        {props.children}
      </main>
    </Document>
  );
}
