import { Document } from './layout.tsx';

export function LoginPage(props: { next: string; error?: string | undefined; disabled: boolean }) {
  return (
    <Document title="Sign in">
      <main class="login">
        <section class="card">
          <h1>dropship hub</h1>
          {props.disabled ? (
            <p class="notice bad">The dashboard is off: start the hub with HUB_ADMIN_TOKEN set to enable it.</p>
          ) : (
            <form method="post" action="/login">
              {props.error ? <p class="notice bad" role="alert">{props.error}</p> : null}
              <label for="token">Admin token (HUB_ADMIN_TOKEN)</label>
              <input id="token" type="password" name="token" autocomplete="current-password" required autofocus />
              <input type="hidden" name="next" value={props.next} />
              <button type="submit" class="primary">Sign in</button>
            </form>
          )}
        </section>
      </main>
    </Document>
  );
}
