/**
 * Reads `routing.yaml` from the mappings directory (HUB_MAPPINGS_DIR) with the mapping loader's
 * machinery: YAML with lines, `${NAME}`, every problem at its key path and line in plain words.
 * No file: the built-in policy (today's behaviour, see policy.ts).
 *
 * @example
 *   const policies = await loadRoutingPolicy(env.HUB_MAPPINGS_DIR);   // throws MappingError
 *   const policy = policyFor(policies, retailer.id);
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NOT_MAPPINGS, parseYamlConfig, type Env } from '../config/mapping-loader.ts';
import { MappingError, errorMessage } from '../errors.ts';
import { BUILT_IN_POLICIES, RoutingPolicyFile, resolvePolicies, type RoutingPolicies } from './policy.ts';

/** The policy's file names, in the order they are looked for. */
export const ROUTING_FILES = [...NOT_MAPPINGS].sort();

const WHAT = 'routing policy';

/** A routing.yaml text → the policies, or a MappingError listing every problem with its line. */
export function parseRoutingPolicySource(source: string, file: string, env: Env = process.env): RoutingPolicies | MappingError {
  const parsed = parseYamlConfig(source, file, RoutingPolicyFile, env, { what: WHAT });
  if (parsed instanceof MappingError) return parsed;
  return resolvePolicies(parsed.value, file);
}

/**
 * The policies of a mappings directory, or the error of its routing.yaml, without throwing
 * (`hub mappings check`). `file` is the policy file found, if any.
 */
export async function checkRoutingPolicy(
  dir: string,
  env: Env = process.env,
): Promise<{ policies: RoutingPolicies; error?: undefined } | { policies?: undefined; error: MappingError }> {
  const root = path.resolve(dir);
  const present: { file: string; source: string }[] = [];
  for (const name of ROUTING_FILES) {
    const file = path.join(root, name);
    try {
      present.push({ file, source: await readFile(file, 'utf8') });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return { error: new MappingError(file, [{ path: '', message: `cannot read the file: ${errorMessage(error)}` }], { what: WHAT, cause: error }) };
    }
  }
  const [first, second] = present;
  if (!first) return { policies: BUILT_IN_POLICIES };
  if (second) {
    return { error: new MappingError(second.file, [{ path: '', message: `${path.basename(first.file)} is there too; keep one of them` }], { what: WHAT }) };
  }
  const parsed = parseRoutingPolicySource(first.source, first.file, env);
  return parsed instanceof MappingError ? { error: parsed } : { policies: parsed };
}

/** The policies of a mappings directory; throws the MappingError of a bad routing.yaml. */
export async function loadRoutingPolicy(dir: string, env: Env = process.env): Promise<RoutingPolicies> {
  const checked = await checkRoutingPolicy(dir, env);
  if (checked.error) throw checked.error;
  return checked.policies;
}
