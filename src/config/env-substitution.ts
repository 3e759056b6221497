/**
 * `${NAME}` in mapping files: every string value (never a key) may name environment variables,
 * which are substituted before the file is validated, so that secrets and hosts live in the
 * environment. `$${` writes a literal `${`. A variable that is not set is an error naming it.
 */

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type KeyPath = (string | number)[];

export interface SubstitutionIssue {
  path: KeyPath;
  message: string;
  /** The variable that is not set, when that is the problem. */
  missing?: string;
}

export interface SubstitutionResult {
  value: unknown;
  issues: SubstitutionIssue[];
  /** Paths (joined with `.`) whose whole value was one `${NAME}`: these may be coerced to numbers/booleans. */
  wholeValuePaths: Set<string>;
}

/** Returns a copy of `value` with `${NAME}` replaced in every string. Never throws. */
export function substituteEnv(value: unknown, env: Record<string, string | undefined>): SubstitutionResult {
  const issues: SubstitutionIssue[] = [];
  const wholeValuePaths = new Set<string>();

  const visit = (node: unknown, path: KeyPath): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      if (/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(node)) wholeValuePaths.add(path.join('.'));
      return node.replace(REFERENCE, (match, name: string | undefined) => {
        if (match === '$${') return '${';
        if (name === undefined || !NAME.test(name)) {
          issues.push({ path, message: `"${match}" is not a valid environment reference; use \${NAME} (letters, digits, _) or $\${ for a literal` });
          return match;
        }
        const resolved = env[name];
        if (resolved === undefined) {
          issues.push({ path, message: `environment variable ${name} is not set`, missing: name });
          return '';
        }
        return resolved;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = visit(item, [...path, key]);
      return out;
    }
    return node;
  };

  return { value: visit(value, []), issues, wholeValuePaths };
}
