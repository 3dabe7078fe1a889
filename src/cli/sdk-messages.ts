/**
 * The SDK's input errors in the CLI's terms. The SDK speaks to code (`baseURL`, `apiKey`, `allowInsecureHTTP`,
 * `limit`); a CLI user sets flags and environment variables. Every AymaraInputError the CLI can meet is listed
 * here, from the client's construction (the key, the base URL, the proxy variables) and from its requests (the run
 * UUIDs as path parameters, --page-size and --workspace as query parameters, a port fetch refuses), and told in
 * the words the user typed.
 */

/** Where the base URL came from, as the user would name it. */
export type BaseURLSource = '--base-url' | 'AYMARA_AI_BASE_URL' | 'the default base URL';

/** The base URL's source for a command line: the flag wins over the variable (an empty variable counts as unset). */
export function baseURLSource(flag: string | undefined, env: string | undefined = process.env.AYMARA_AI_BASE_URL): BaseURLSource {
  if (flag !== undefined) return '--base-url';
  return env !== undefined && env !== '' ? 'AYMARA_AI_BASE_URL' : 'the default base URL';
}

/**
 * Plain http to a host that is not loopback: the SDK's way out (`allowInsecureHTTP`) is deliberately not a flag,
 * since the key would cross the network in clear.
 */
export const HTTPS_ONLY = 'the CLI sends your key only over https; http only to a loopback host (localhost, 127.0.0.1, ::1)';

type Rewrite = readonly [pattern: RegExp, replace: (match: RegExpExecArray, source: BaseURLSource) => string];

const REWRITES: readonly Rewrite[] = [
  // The base URL: resolveBaseURL in the SDK's config.
  [/^`baseURL` must use https \(.*\); got (.+)$/s, (m, source) => `${source} ${m[1] ?? ''} is not https: ${HTTPS_ONLY}`],
  [/^`baseURL` (.+)$/s, (m, source) => `${source} ${m[1] ?? ''}`],
  // The key: the CLI reads it from the environment only.
  [/^Missing API key\b.*$/s, () => 'AYMARA_AI_API_KEY is not set: export your Aymara API key in that variable'],
  [/^The API key (.+)$/s, (m) => `AYMARA_AI_API_KEY ${m[1] ?? ''}`],
  [/^Header (?:authorization|x-api-key) (.+)$/is, (m) => `AYMARA_AI_API_KEY ${m[1] ?? ''}`],
  // Path parameters: the operands, or an eval UUID read from a run.
  [/^`eval_run_uuid` (.+)$/s, (m) => `a run UUID (<eval_run_uuid>, <baseline_run>, <candidate_run>) ${m[1] ?? ''}`],
  [/^`eval_uuid` (.+)$/s, (m) => `the eval_uuid of a run, as the API gave it, ${m[1] ?? ''}`],
  // Query parameters: the flags that set them.
  [/^Invalid parameter `limit`: (.+)$/s, (m) => `--page-size ${m[1] ?? ''}`],
  [/^Invalid parameter `workspace_uuid`: (.+)$/s, (m) => `--workspace ${m[1] ?? ''}`],
  // A port the Fetch standard blocks, in the base URL.
  [/^(.*); use another port in the base URL$/s, (m, source) => `${m[1] ?? ''}; use another port in ${source}`],
];

/** An AymaraInputError's message as the CLI shows it: in flags and environment variables, never the SDK's option names. */
export function inCliTerms(message: string, source: BaseURLSource): string {
  for (const [pattern, replace] of REWRITES) {
    const match = pattern.exec(message);
    if (match) return replace(match, source);
  }
  return message;
}
