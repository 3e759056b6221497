import { Document, Layout, type PageContext } from './layout.tsx';

export function NotFoundPage(props: { what: string; ctx: PageContext }) {
  return (
    <Layout title="Not found" ctx={props.ctx}>
      <h1>Not found</h1>
      <p>{`No ${props.what}.`} <a href="/">Back to the dashboard</a></p>
    </Layout>
  );
}

/** An operator action the hub refused, with its reason (escaped) and the way back. */
export function RefusedPage(props: { title: string; message: string; back: string; ctx: PageContext }) {
  return (
    <Layout title={props.title} ctx={props.ctx}>
      <h1>{props.title}</h1>
      <p class="notice bad" role="alert">{props.message}</p>
      <p><a href={props.back}>Back</a></p>
    </Layout>
  );
}

/** Not found, for someone not signed in: nothing about the hub but the way to sign in. */
export function NotFoundPlain() {
  return (
    <Document title="Not found">
      <main>
        <h1>Not found</h1>
        <p>No such page. <a href="/login">Sign in to the dashboard</a></p>
      </main>
    </Document>
  );
}
