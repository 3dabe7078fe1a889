/**
 * Whether a request's `accept-encoding` allows gzip (RFC 9110): named (any case) or through `*`, and not refused
 * with `q=0`. The mock gzips then, as the real API's front end does, so tests see what goes over the wire.
 */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  let star: boolean | undefined;
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return allowed;
    if (coding === '*') star = allowed;
  }
  return star ?? false;
}

/** `text` gzipped, with the web's CompressionStream (msw handlers run in browsers too). */
export async function gzipText(text: string): Promise<ArrayBuffer> {
  return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
}
