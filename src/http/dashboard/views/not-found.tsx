import { Layout, type PageContext } from './layout.tsx';

export function NotFoundPage(props: { what: string; ctx: PageContext }) {
  return (
    <Layout title="Not found" ctx={props.ctx}>
      <h1>Not found</h1>
      <p>{`No ${props.what}.`} <a href="/">Back to the dashboard</a></p>
    </Layout>
  );
}
