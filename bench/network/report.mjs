// The network bench's tables, as plain text (the bench output) or markdown (the README), from its JSON result.

const mb = (bytes) => (bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(2)} MB`);
const ms = (v) => `${Math.round(v).toLocaleString('en-US')} ms`;
const x = (v) => `${v.toFixed(2)}x`;

const LISTING_ORDER = ['sdkInstalled', 'sdkBundled', 'fetchLoop', 'undici'];
const COLD_ORDER = ['sdkInstalled', 'sdkBundled', 'fetchOne'];
const LABELS = {
  sdkInstalled: 'SDK installed',
  sdkBundled: 'SDK bundled',
  fetchLoop: 'global fetch loop, 4 in flight',
  undici: 'undici.request, 4 in flight',
  fetchOne: 'one-request fetch script',
};

function render(headers, rows, markdown) {
  if (markdown) {
    const line = (cells) => `| ${cells.join(' | ')} |`;
    return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The listing table: one row per network and client, the ideal first. */
export function listingTable(result, { markdown = false } = {}) {
  const rows = [];
  for (const n of Object.values(result.networks)) {
    let first = true;
    if (n.ideal) {
      rows.push([n.label, 'ideal (the model, 4 in flight)', ms(n.ideal.ms), '1.00x', '', '', String(n.ideal.connections), '', '']);
      first = false;
    }
    for (const name of LISTING_ORDER) {
      const s = n.listing[name];
      if (!s) continue;
      const conns = s.connections.max === s.connections.median ? String(s.connections.max) : `${s.connections.median} (max ${s.connections.max})`;
      const vsIdeal = s.vsIdeal === null ? '' : x(s.vsIdeal);
      rows.push([
        first ? n.label : '',
        LABELS[name],
        ms(s.medianMs),
        vsIdeal,
        x(s.vsFetchLoop),
        s.medianCpuMs == null ? '' : ms(s.medianCpuMs),
        conns,
        `${mb(s.bytes)} (${x(s.bytesVsGzip)})`,
        s.encodings.join(', '),
      ]);
      first = false;
    }
  }
  return render(
    ['network', 'client', 'time', 'vs ideal', 'vs fetch loop', 'client CPU', 'connections', 'bytes received (vs gzip)', 'encoding'],
    rows,
    markdown,
  );
}

/** The cold-page table: one row per network and client. */
export function coldTable(result, { markdown = false } = {}) {
  const rows = [];
  for (const n of Object.values(result.networks)) {
    let first = true;
    for (const name of COLD_ORDER) {
      const s = n.cold[name];
      if (!s) continue;
      rows.push([first ? n.label : '', LABELS[name], ms(s.medianMs), x(s.vsFetchOne), String(s.connections.max), mb(s.bytes), s.encodings.join(', ')]);
      first = false;
    }
  }
  return render(['network', 'client', 'spawn to exit', 'vs fetch script', 'connections', 'bytes received', 'encoding'], rows, markdown);
}

/** Both tables with their headings, as the bench prints them. */
export function networkTable(result) {
  const { sizes } = result;
  return [
    `Real network (TLS 1.3 through the latency proxy), aymara-ai ${result.version}`,
    `All ${result.responses.toLocaleString('en-US')} responses, ${sizes.pages} pages of ${result.pageSize} (bodies ${mb(sizes.identity)} plain, ${mb(sizes.gzip)} gzip, ${mb(sizes.br)} br); time from creating the client to the last item, median of ${result.rounds} rounds:`,
    '',
    listingTable(result),
    '',
    `One cold page: a fresh process, spawn to exit, median of ${result.coldRounds} rounds:`,
    '',
    coldTable(result),
  ].join('\n');
}

// `node bench/network/report.mjs [result.json] [--markdown]`: the tables of a saved result (the network bench's
// own file, or bench/results/latest.json of a full run), as text or as markdown for the README.
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const { readFileSync } = await import('node:fs');
  const args = process.argv.slice(2);
  const markdown = args.includes('--markdown');
  const file = args.find((a) => !a.startsWith('--')) ?? new URL('../results/network.json', import.meta.url);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const result = saved.results?.network ?? saved;
  if (!markdown) console.log(networkTable(result));
  else console.log(`${listingTable(result, { markdown })}\n\n${coldTable(result, { markdown })}`);
}
