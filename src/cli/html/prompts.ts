/**
 * The prompts a reviewer reads: the failing ones of a summary, the regressed, fixed and still-failing ones of a
 * comparison, grouped by category. Each shows the question, the answer and the judge's explanation.
 *
 * A run can have tens of thousands of prompts, and the report must stay a file a browser opens at once: each group
 * shows its first `GROUP_LIMIT` prompts, each text its first characters, and a budget caps the lists as a whole
 * (so ten thousand one-prompt categories cannot grow the file either); whatever is left out is counted, and the
 * json and csv reports have all of it.
 */
import type { CaseOutcome } from 'aymara-ai/analysis';
import type { ComparedPrompt, PromptCase } from '../report-model.js';
import { CATEGORY_CHARS } from './figures.js';
import { UNCATEGORISED_LABEL } from '../report-model.js';
import { block, clip, escapeHTML, inline } from './escape.js';

/** Prompts shown per category group; the rest are counted. */
export const GROUP_LIMIT = 50;
/** Characters shown of a prompt, an answer or an explanation. */
export const TEXT_LIMIT = 3000;
/** A group with more prompts than this shows the first `PREVIEW` and folds the rest, so one category cannot bury the others. */
const OPEN_LIMIT = 5;
const PREVIEW = 3;
/**
 * Bytes of markup all the lists together may take: with the rest of the report (small next to them, every string in
 * it clipped) the file stays under 5 MB whatever the server sends, escapes and multi-byte text included.
 */
export const LIST_BUDGET = 4_000_000;

/** What is left of the lists' budget as the report is written. */
export interface Budget {
  left: number;
}

export const newBudget = (): Budget => ({ left: LIST_BUDGET });

export const MORE_HINT = 'the full list is in the json and csv reports';

function clippedBlock(text: string): string {
  const { text: shown, rest } = clip(text, TEXT_LIMIT);
  return rest > 0 ? `${block(shown)}<span class="clipped"> … (${rest} more characters in the json report)</span>` : block(shown);
}

function answerCell(c: PromptCase): string {
  if (c.content_type !== 'text') {
    // A file reference is shown as text, never fetched or linked: the report makes no request and carries no URL.
    const what = c.content_type === 'image' ? 'image' : c.content_type === 'video' ? 'video' : 'file';
    return `<span class="none">${escapeHTML(what)} answer, not shown; file:</span> <code class="t">${inline(c.answer)}</code>`;
  }
  return c.answer === '' ? '<span class="none">(empty)</span>' : clippedBlock(c.answer);
}

const OUTCOMES: readonly CaseOutcome[] = ['passed', 'failed', 'unscored', 'excluded', 'missing'];

/** An outcome as a tag. Only a known outcome is written (it is also the class): the type is not checked at run time. */
function outcomeTag(outcome: CaseOutcome): string {
  const known = OUTCOMES.includes(outcome) ? outcome : 'unknown';
  return `<span class="tag ${known}">${known}</span>`;
}

function meta(c: PromptCase, compared: ComparedPrompt | undefined): string {
  const parts: string[] = [];
  if (compared) {
    parts.push(`<span>baseline ${outcomeTag(compared.baseline)} → candidate ${outcomeTag(compared.candidate)}</span>`);
  } else {
    parts.push('<span class="tag failed">failed</span>');
  }
  if (c.refused) parts.push('<span class="tag refused">refused</span>');
  if (typeof c.confidence === 'number' && Number.isFinite(c.confidence)) parts.push(`<span>confidence ${escapeHTML(String(c.confidence))}</span>`);
  parts.push(`<code class="t">${inline(c.prompt_uuid)}</code>`);
  return `<div class="meta">${parts.join('')}</div>`;
}

function renderCase(c: PromptCase, kind: string, compared: ComparedPrompt | undefined): string {
  const prompt = c.prompt === undefined ? '<span class="none">(the prompt could not be read)</span>' : clippedBlock(c.prompt);
  const explanation = c.explanation ? clippedBlock(c.explanation) : '<span class="none">(no explanation)</span>';
  return `<article class="case ${kind}">${meta(c, compared)}<dl><dt>Prompt</dt><dd class="text">${prompt}</dd><dt>Answer</dt><dd class="text">${answerCell(c)}</dd><dt>Explanation</dt><dd class="text">${explanation}</dd></dl></article>`;
}

/** A short key standing for a category; equal categories get equal keys, and the groups check equality exactly. */
function shortKey(category: string | null | undefined): string {
  if (typeof category !== 'string') return `\u0000${category}`;
  if (category.length <= 256) return category;
  let hash = 0x811c9dc5; // FNV-1a over the UTF-16 units
  for (let i = 0; i < category.length; i++) hash = Math.imul(hash ^ category.charCodeAt(i), 0x01000193);
  return `${category.slice(0, 128)}\u0000${category.length}:${(hash >>> 0).toString(16)}`;
}

type Group<C> = { category: string | null | undefined; cases: C[] };

/**
 * The category groups, in the order of the figures (`order`, the model's: by name, uncategorised last), any other
 * after them in the order met; unknown (prompts unreadable) is one group. Nothing is sorted here: the order is the
 * table's.
 *
 * Keyed by a short key, not by the name: V8 hashes a string of more than 16,383 characters by its length alone, so a
 * map keyed by long names that share a length makes every lookup compare them all, and a few thousand hostile
 * categories would take minutes. A short key hashes properly; names that share one are told apart exactly.
 */
export function groupByCategory<C extends PromptCase>(cases: readonly C[], order: readonly (string | null)[] = []): Group<C>[] {
  // A Map, not an object: category names come from the server, and `__proto__` must be a group like any other.
  const buckets = new Map<string, Group<C>[]>();
  const groups: Group<C>[] = [];
  const find = (category: string | null | undefined): Group<C> => {
    const key = shortKey(category);
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = []));
    let group = bucket.find((g) => g.category === category);
    if (!group) {
      group = { category, cases: [] };
      bucket.push(group);
      groups.push(group);
    }
    return group;
  };
  for (const category of order) find(category);
  for (const c of cases) find(c.category).cases.push(c);
  return groups.filter((g) => g.cases.length > 0);
}

function groupName(category: string | null | undefined): string {
  if (category === undefined) return 'All prompts';
  if (category === null) return `<span class="unc">${UNCATEGORISED_LABEL}</span>`;
  return `<span class="t">${inline(category, CATEGORY_CHARS)}</span>`;
}

/**
 * One section of prompts (`kind`: the CSS class of each case), grouped by category and capped. In the section that
 * matters most (failing, regressed) each group shows its first few prompts and folds the rest; in the others
 * (fixed, still failing) whole groups start folded, so the page opens on what needs a reviewer.
 */
export function renderPromptSection<C extends PromptCase>(options: {
  title: string;
  kind: string;
  cases: readonly C[];
  /** What each group's count is called: "failing", "regressed". */
  noun: string;
  budget: Budget;
  folded?: boolean;
  compared?: (c: C) => ComparedPrompt | undefined;
  empty: string;
  /** The categories in the figures' order. */
  order: readonly (string | null)[];
}): string {
  const { title, kind, cases, noun, budget } = options;
  const parts = [`<section class="prompts ${kind}"><h2>${escapeHTML(title)} <span class="count">(${cases.length})</span></h2>`];
  if (cases.length === 0) parts.push(`<p class="none">${escapeHTML(options.empty)}</p>`);
  const groups = groupByCategory(cases, options.order);
  for (const [g, group] of groups.entries()) {
    if (budget.left <= 0) {
      // Out of room: the remaining groups are counted in one line, not each given a heading.
      const left = groups.slice(g);
      const prompts = left.reduce((n, x) => n + x.cases.length, 0);
      parts.push(`<p class="more">and ${prompts} more in ${left.length} more ${left.length === 1 ? 'category' : 'categories'}: ${MORE_HINT}.</p>`);
      break;
    }
    const items: string[] = [];
    for (const c of group.cases.slice(0, GROUP_LIMIT)) {
      const html = renderCase(c, kind, options.compared?.(c));
      const size = Buffer.byteLength(html);
      if (size > budget.left) {
        budget.left = 0;
        break;
      }
      budget.left -= size;
      items.push(html);
    }
    const rest = group.cases.length - items.length;
    const more = rest > 0 ? `<p class="more">and ${rest} more: ${MORE_HINT}.</p>` : '';
    const heading = `${groupName(group.category)} <span class="count">${group.cases.length} ${escapeHTML(noun)}</span>`;
    budget.left -= Buffer.byteLength(heading) + Buffer.byteLength(more);
    if (options.folded) {
      parts.push(`<details class="group"><summary>${heading}</summary>${items.join('')}${more}</details>`);
    } else if (items.length <= OPEN_LIMIT) {
      parts.push(`<div class="group"><h3>${heading}</h3>${items.join('')}${more}</div>`);
    } else {
      const folded = items.length - PREVIEW;
      parts.push(
        `<div class="group"><h3>${heading}</h3>${items.slice(0, PREVIEW).join('')}<details class="rest"><summary>show ${folded} more</summary>${items.slice(PREVIEW).join('')}</details>${more}</div>`,
      );
    }
  }
  parts.push('</section>');
  return parts.join('');
}
