/**
 * The status of a run (and of an eval). `'finished'` means a run's responses are final; other values may appear and
 * mean "not finished".
 */
export type EvalRunStatus = 'created' | 'processing' | 'finished' | 'failed' | (string & {});
