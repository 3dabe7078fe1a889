// The run the network bench serves: deterministic scored responses of about 600 bytes each (JSON), shaped like
// the list endpoint's items, with answer and explanation texts drawn from a small vocabulary so that they
// compress about as well as real model output (3-4x with gzip). Generated here rather than imported from the
// SDK so that every SDK version under test (the working tree and older tarballs) is served the same bytes.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** A small deterministic PRNG (mulberry32): the same run on every machine. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = 'the a an to of and in that is for it as with was on be by this are or from at which but not'.split(' ');
const SYLLABLES =
  'ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zi zo ment tion able ing er ly ous ive al'.split(
    ' ',
  );

/** A vocabulary of 2,000 made-up words (2-4 syllables): text about as compressible as real answers. */
const WORDS = (() => {
  const random = seeded(7);
  return Array.from({ length: 2000 }, () => {
    let word = '';
    const syllables = 2 + Math.floor(random() * 3);
    for (let i = 0; i < syllables; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    return word;
  });
})();

function uuid(random) {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function sentence(random, words) {
  const out = [];
  for (let i = 0; i < words; i++) out.push(random() < 0.4 ? COMMON[Math.floor(random() * COMMON.length)] : WORDS[Math.floor(random() * WORDS.length)]);
  const text = out.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** `count` scored responses; every tenth an image with a file reference, some multi-turn, a mix of outcomes. */
export function generateRun(count, seed = 9) {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const image = i % 10 === 7;
    const roll = random();
    const excluded = roll < 0.04;
    const unscored = !excluded && roll < 0.08;
    const refused = roll > 0.85;
    const passed = excluded || unscored ? null : refused || roll < 0.7;
    const threaded = i % 25 === 3;
    const fileUUID = uuid(random);
    return {
      prompt_uuid: uuid(random),
      thread_uuid: threaded ? uuid(random) : null,
      turn_number: threaded ? 1 + (i % 3) : 1,
      continue_thread: threaded,
      content: image
        ? { file_uuid: fileUUID, remote_file_path: `eval-runs/images/${fileUUID}.png` }
        : `${sentence(random, 14 + Math.floor(random() * 8))} ${sentence(random, 9 + Math.floor(random() * 6))}`,
      content_type: image ? 'image' : 'text',
      exclude_from_scoring: excluded,
      ai_refused: refused,
      response_uuid: uuid(random),
      explanation: passed === null ? null : sentence(random, 13 + Math.floor(random() * 8)),
      confidence: passed === null ? null : Math.round((0.5 + random() / 2) * 100) / 100,
      is_passed: passed,
      next_prompt: threaded
        ? { prompt_uuid: uuid(random), thread_uuid: null, turn_number: 2 + (i % 3), content: sentence(random, 10), category: 'safety' }
        : null,
    };
  });
}

/**
 * Every page of the run as the server sends it, `{items, count}`, keyed by offset, with its gzip (level 6, the
 * usual server default) and brotli (quality 5, a common on-the-fly setting) encodings made once, so that serving
 * a page costs the server a lookup. One more page past the end (`{items: [], count}`).
 */
export function buildPages(total, pageSize) {
  const items = generateRun(total).map((item) => JSON.stringify(item));
  const pages = new Map();
  for (let offset = 0; offset <= total; offset += pageSize) {
    const identity = Buffer.from(`{"items":[${items.slice(offset, offset + pageSize).join(',')}],"count":${total}}`);
    pages.set(offset, {
      identity,
      gzip: gzipSync(identity, { level: 6 }),
      br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    });
  }
  return { pages, itemBytes: items.reduce((sum, item) => sum + item.length, 0) / items.length };
}
