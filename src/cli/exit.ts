/** The CLI's exit codes, as its help documents them. */
export const EXIT = { ok: 0, gate: 1, usage: 2, api: 3, network: 4, notFinished: 5, internal: 70 } as const;
